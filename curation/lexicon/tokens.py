"""Word normalisation shared by term matching, suspect detection and correction."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

WORDS_KEPT = 1 << 16  # cached plurals and inflections: bounded, since heard words never run out
_TOKEN = re.compile(r"[a-z]+|[0-9]+")  # "SOX10", "SOX-10" and "SOX 10" all read sox, 10
_POSSESSIVE = re.compile(r"(?<=[a-z])'s?\b")
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


# fmt: off
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "from", "by",
    "with", "without", "into", "onto", "over", "under", "as", "is", "are", "was", "were", "be",
    "been", "being", "am", "it", "its", "this", "that", "these", "those", "there", "here", "we",
    "you", "i", "he", "she", "they", "them", "our", "your", "their", "his", "her", "my", "me",
    "us", "so", "then", "than", "too", "very", "can", "could", "will", "would", "may", "might",
    "shall", "should", "must", "do", "does", "did", "has", "have", "had", "not", "no", "yes", "if",
    "when", "where", "which", "who", "whom", "whose", "what", "why", "how", "all", "any", "some",
    "each", "both", "few", "more", "most", "other", "such", "only", "own", "same", "just", "also",
    "up", "down", "out", "off", "again", "further", "once", "s",
})
# fmt: on


def fold(text: str) -> str:
    """Lower case, accents and typographic apostrophes removed."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.replace("\u2019", "'").lower()


def normalize_tokens(text: str) -> tuple[str, ...]:
    """Lower-case alphanumeric tokens; possessives dropped, so "Langhans'" == "Langhans"."""
    folded = fold(text.replace("\u2019", "'"))
    return tuple(_TOKEN.findall(_POSSESSIVE.sub("", folded)))


def join_words(words: list[str]) -> str:
    """Transcript words (stored without their spaces) as text; "e" + "-mata" stays one word."""
    text = ""
    for word in (w.strip() for w in words):
        if not word:
            continue
        glued = not text or word[0] in "-'\u2019,.;:?!)" or text[-1] in "-("
        text += word if glued else " " + word
    return text


def word_core(text: str) -> str:
    """A transcript word without the punctuation and spaces around it: " cells." -> "cells"."""
    return _EDGE_PUNCTUATION.sub("", text.strip())


_LATIN_PLURALS = (  # (singular ending, plural ending)
    ("sis", "ses"),
    ("us", "i"),
    ("um", "a"),
    ("rion", "ria"),
    ("glion", "glia"),
    ("ex", "ices"),
    ("ix", "ices"),
)


# Endings of words that are plurals already: "bacilli", "hyphae", "mitoses", "bacteria".
_ALREADY_PLURAL = re.compile(r"(?:..i|ae|[^aeiou]ses|[^aeiou]ria|itis|ides)$")


def is_plural_already(word: str) -> bool:
    """A Latin plural, or a word ("gastritis") whose plural no narrator says."""
    return bool(_ALREADY_PLURAL.search(word))


@lru_cache(maxsize=WORDS_KEPT)  # asked of the same words thousands of times per video by the correction search
def plural_forms(word: str) -> frozenset[str]:
    """Plurals of a (Latin or English) noun: "bacillus" -> "bacilli", "nucleus" -> "nuclei"; none of
    a word that is a plural already, so no "bacillis", since corrections write these forms."""
    if is_plural_already(word):
        return frozenset()
    if word.endswith("virus"):
        return frozenset({word + "es"})
    forms = {
        word[: -len(singular)] + plural
        for singular, plural in _LATIN_PLURALS
        if word.endswith(singular) and len(word) > len(singular) + 2
    }
    if word.endswith(("sis", "us")):
        return frozenset(forms)
    if re.search(r"[^s]s$", word):
        return frozenset()  # a plural already ("bodies", "features") or a Latin name ("vulgaris")
    if re.search(r"[^aeiou]y$", word):
        forms.add(word[:-1] + "ies")
    elif re.search(r"(s|x|z|ch|sh)$", word):
        forms.add(word + "es")
    else:
        forms.add(word + "s")
    return frozenset(forms)


# Last words that take no plural: adjectives ("hyperchromatic", "nuclear") and "in situ".
_UNINFLECTED = re.compile(r"(ic|ous|ive|al|ed|ar|ary|situ)$")


@lru_cache(maxsize=WORDS_KEPT)
def inflections(tokens: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """The term itself and its plurals (inflecting the last word)."""
    if (
        not tokens
        or not tokens[-1].isalpha()
        or len(tokens[-1]) < 3
        or _UNINFLECTED.search(tokens[-1])
    ):
        return frozenset({tokens})
    return frozenset({tokens} | {tokens[:-1] + (p,) for p in plural_forms(tokens[-1])})


_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def spoken_number(tokens: tuple[str, ...]) -> str | None:
    """The digits of a number said in words, as a marker's number is ("two", "sixty seven",
    "six seven" for 67, "one zero" for 10), or None when the tokens are not one."""
    if not tokens:
        return None
    if all(t in _UNITS[:10] for t in tokens) and len(tokens) > 1:
        return "".join(str(_UNITS.index(t)) for t in tokens)  # said digit by digit
    if len(tokens) == 1 and tokens[0] in _UNITS:
        return str(_UNITS.index(tokens[0]))
    if tokens[0] in _TENS and len(tokens) <= 2:
        tens = 20 + 10 * _TENS.index(tokens[0])
        if len(tokens) == 1:
            return str(tens)
        if tokens[1] in _UNITS[1:10]:
            return str(tens + _UNITS.index(tokens[1]))
    return None


def _number_in_words(digits: str) -> str:
    value = int(digits)
    if value < 20:
        return _UNITS[value]
    if value < 100:
        tens, unit = divmod(value, 10)
        return _TENS[tens - 2] + (f" {_UNITS[unit]}" if unit else "")
    return " ".join(_UNITS[int(d)] for d in digits)  # longer numbers are read digit by digit


def spoken_form(text: str) -> str:
    """The text as said, each number in words: "HER2" -> "HER two", "Ki-67" -> "Ki sixty seven"."""
    return re.sub(r"-?(\d+)", lambda m: f" {_number_in_words(m.group(1))}", text).strip()


# how a letter is said: Whisper writes a letter it heard by its name as the letter ("ex five": "X5")
_LETTER_NAMES = dict(zip(
    "abcdefghijklmnopqrstuvwxyz",
    "ay bee see dee ee ef gee aitch eye jay kay el em en oh pee cue ar es tee you vee doubleyou ex why zed".split(),
))


def said_letters(token: str) -> str:
    """A token as it is said: a lone letter by its name ("x" -> "ex"), any other as it is."""
    return _LETTER_NAMES.get(token, token)
