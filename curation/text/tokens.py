"""Word normalisation shared by term matching, suspect detection and correction."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"(?<=[a-z])'s?\b")
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


def fold(text: str) -> str:
    """Lower case, accents and typographic apostrophes removed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.replace("\u2019", "'").lower()


def normalize_tokens(text: str) -> tuple[str, ...]:
    """Lower-case alphanumeric tokens; possessives dropped, so "Langhans'" == "Langhans"."""
    folded = fold(text.replace("\u2019", "'"))
    return tuple(_TOKEN.findall(_POSSESSIVE.sub("", folded)))


def word_core(text: str) -> str:
    """A transcript word without the punctuation and spaces around it: " cells." -> "cells"."""
    return _EDGE_PUNCTUATION.sub("", text.strip())


_PLURALS = (  # (singular ending, plural ending), most specific first
    ("sis", "ses"),
    ("us", "i"),
    ("um", "a"),
    ("on", "a"),
    ("ex", "ices"),
    ("ix", "ices"),
    ("a", "ae"),
)


def plural_forms(word: str) -> set[str]:
    """Likely plurals of a (Latin or English) noun; over-generation is harmless for lookups."""
    forms = set()
    for singular, plural in _PLURALS:
        if word.endswith(singular) and len(word) > len(singular) + 2:
            forms.add(word[: -len(singular)] + plural)
    if re.search(r"[^aeiou]y$", word):
        forms.add(word[:-1] + "ies")
    elif re.search(r"(s|x|z|ch|sh)$", word):
        forms.add(word + "es")
    else:
        forms.add(word + "s")
    return forms


def inflections(tokens: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The term itself and its plurals (inflecting the last word)."""
    if not tokens or not tokens[-1].isalpha() or len(tokens[-1]) < 3:
        return {tokens}
    return {tokens} | {tokens[:-1] + (p,) for p in plural_forms(tokens[-1])}
