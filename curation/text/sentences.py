"""Split a transcript's words into whole sentences that keep their word timings.

Whisper's segments end wherever its 30-second window does, so they are ignored: a sentence ends
at a full stop, at a clause mark followed by a pause, at a long pause, or where the next word,
heard surely, opens a new one by its capital ("...keep your microphone muted, By the end of this
session"). No sentence is cut after a word that cannot end one ("the", "of") or before a word that cannot start
one ("of", "than"): those are the fragments a caption must not begin or end with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curation.lexicon.lexicon import Lexicon
from curation.lexicon.tokens import FUNCTION_WORDS, fold, join_words, normalize_tokens, word_core
from curation.records import Word

_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")
_CLAUSE_END = re.compile(r"[,;:][\"')\]]*$")
_ABBREVIATION = re.compile(
    r"\b(?:dr|mr|mrs|ms|prof|vs|etc|fig|approx|no|e\.g|i\.e|st)\.$", re.IGNORECASE
)
# Whisper often writes a comma where a narrator stops between sentences, so a clause mark
# followed by a pause, or a long pause alone, also ends a sentence. tiny.en's word times put up
# to 0.68 s after commas inside the demo lectures' sentences and 0.74-0.9 s after commas it wrote
# for a full stop; at 0.5, 24% of the frozen demo captions (23% of the noisy ones) started or
# ended mid-sentence, at 0.7 5% (10%), none of them garbled (bench/caption_quality.py).
CLAUSE_PAUSE_S = 0.7
LONG_PAUSE_S = 1.0
# A capital opens a sentence only on a word Whisper was this sure of.
SURE_CAPITAL_PROBABILITY = 0.5
# Past this length a run-on is cut where the narrator paused longest (clause marks count extra).
MAX_WORDS = 40
# Words that end no sentence (articles, prepositions, conjunctions), and words that start none.
_NEVER_LAST = FUNCTION_WORDS - {
    "it", "this", "that", "these", "those", "there", "here", "them", "us", "me", "too", "again",
    "up", "down", "out", "off", "once", "all", "both", "more", "most", "yes", "no", "not", "is",
    "are", "was", "were", "be", "been", "am", "do", "does", "did", "can", "will", "may", "might",
    "should", "must", "could", "would", "shall", "has", "have", "had",
}
_NEVER_FIRST = frozenset({"of", "than", "nor", "or", "is", "are", "was", "were", "s"})
# The pronouns a sentence opens with though they are capitalised anywhere: "I".
_ALWAYS_CAPITAL = frozenset({"i", "i'm", "i'll", "i've", "i'd"})


@dataclass(frozen=True)
class SpokenWord:
    """One word as spoken: Whisper pieces glued to the previous one ("e" + "-mata") are merged."""

    text: str
    probability: float
    start: float


def spoken_words(words: tuple[Word, ...]) -> list[SpokenWord]:
    merged: list[SpokenWord] = []
    for word in words:
        text = word.text.strip()
        if merged and join_words([merged[-1].text, text]) == merged[-1].text + text:
            last = merged[-1]
            merged[-1] = SpokenWord(last.text + text, min(last.probability, word.probability), last.start)
        elif text:
            merged.append(SpokenWord(text, word.probability, word.start))
    return merged


@dataclass(frozen=True)
class SentenceSpan:
    words: tuple[Word, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return join_words([w.text for w in self.words])

    @property
    def spoken(self) -> list[SpokenWord]:
        return spoken_words(self.words)


def _opens_sentence(words: list[Word], i: int, lexicon: Lexicon | None) -> bool:
    """Word `i` is capitalised as a sentence opening is: an everyday word ("By", "We", "Here"),
    neither a name nor the first word of a term ("Gram stain", "Langhans giant cell")."""
    if i > 0 and join_words([words[i - 1].text, words[i].text]) == words[i - 1].text.strip() + words[i].text.strip():
        return False  # a piece of the word before: "D" ".A" ".B." is one acronym
    text = word_core(words[i].text)
    if not text[:1].isupper() or not text[1:].islower() and len(text) > 1:
        return False
    if words[i].probability < SURE_CAPITAL_PROBABILITY:
        return False  # a guess, capitals and all: "keratin World's concentric" was "keratin pearls"
    if fold(text) in _ALWAYS_CAPITAL:
        return False
    if fold(text) in FUNCTION_WORDS:
        return True
    if lexicon is None or not lexicon.is_english(text):
        return False
    ahead = normalize_tokens(" ".join(w.text for w in words[i : i + 4]))
    starts_term = any(ahead[:n] in lexicon.forms for n in range(1, len(ahead) + 1))
    return not starts_term and not lexicon.is_medical(text)


def ends_clause(text: str) -> bool:
    """The word closes a clause or a sentence: "cells," "stain."."""
    text = text.strip()
    return bool(_CLAUSE_END.search(text) or _SENTENCE_END.search(text))


def _may_cut(word: Word, next_word: Word) -> bool:
    return (
        fold(word_core(word.text)) not in _NEVER_LAST
        and fold(word_core(next_word.text)) not in _NEVER_FIRST
    )


_INITIALS = re.compile(r"(?:^|[^\w.])(?:[A-Z]\.){2,}$")  # "D.A.B.", however Whisper cut it into words


def _initials_in_a_sentence(words: list[Word], i: int) -> bool:
    """The full stop closes spelled-out letters ("the D.A.B. signal") and the sentence goes on."""
    tail = join_words([w.text for w in words[max(0, i - 4) : i + 1]])
    following = word_core(words[i + 1].text)
    return bool(_INITIALS.search(tail)) and following[:1].islower()


def _ends_sentence(words: list[Word], i: int, lexicon: Lexicon | None) -> bool:
    word = words[i]
    if i + 1 == len(words):
        return True
    next_word = words[i + 1]
    text = word.text.strip()
    pause = next_word.start - word.end
    if _SENTENCE_END.search(text) and not _ABBREVIATION.search(text):
        return not _initials_in_a_sentence(words, i)
    if not _may_cut(word, next_word):
        return False
    return (
        pause >= LONG_PAUSE_S
        or (pause >= CLAUSE_PAUSE_S and bool(_CLAUSE_END.search(text)))
        or _opens_sentence(words, i + 1, lexicon)
    )


def _cut_long(words: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    if len(words) <= MAX_WORDS:
        return [words]

    def break_strength(i: int) -> float:
        if not _may_cut(words[i], words[i + 1]):
            return -1.0
        clause = 0.3 if _CLAUSE_END.search(words[i].text.strip()) else 0.0
        return words[i + 1].start - words[i].end + clause

    margin = 3  # never leave a fragment of a few words
    cut = max(range(margin, len(words) - margin), key=break_strength)
    return _cut_long(words[: cut + 1]) + _cut_long(words[cut + 1 :])


def split_sentences(words: list[Word], lexicon: Lexicon | None = None) -> list[SentenceSpan]:
    """Sentences of the words; with a `lexicon`, a capitalised everyday word opens a new one."""
    sentences: list[SentenceSpan] = []
    current: list[Word] = []
    for i, word in enumerate(words):
        current.append(word)
        if _ends_sentence(words, i, lexicon):
            if any(w.text.strip() for w in current):
                sentences.extend(SentenceSpan(part) for part in _cut_long(tuple(current)))
            current = []
    return sentences
