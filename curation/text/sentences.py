"""Split a transcript's words into sentences that keep their word timings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from curation.records import Word
from curation.text.tokens import join_words

_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")
_CLAUSE_END = re.compile(r"[,;:][\"')\]]*$")
_ABBREVIATION = re.compile(
    r"\b(?:dr|mr|mrs|ms|prof|vs|etc|fig|approx|no|e\.g|i\.e|st)\.$", re.IGNORECASE
)
# Whisper often writes a comma where a narrator stops between sentences, so a clause mark
# followed by a pause, or a long pause alone, also ends a sentence.
CLAUSE_PAUSE_S = 0.5
LONG_PAUSE_S = 1.0
# Past this length a run-on is cut where the narrator paused longest (clause marks count extra).
MAX_WORDS = 40


@dataclass(frozen=True)
class SpokenWord:
    """One word as spoken: Whisper pieces glued to the previous one ("e" + "-mata") are merged."""

    text: str
    probability: float


def spoken_words(words: tuple[Word, ...]) -> list[SpokenWord]:
    merged: list[SpokenWord] = []
    for word in words:
        text = word.text.strip()
        if merged and join_words([merged[-1].text, text]) == merged[-1].text + text:
            last = merged[-1]
            merged[-1] = SpokenWord(last.text + text, min(last.probability, word.probability))
        elif text:
            merged.append(SpokenWord(text, word.probability))
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


def _ends_sentence(word: Word, next_word: Word | None) -> bool:
    if next_word is None:
        return True
    text = word.text.strip()
    pause = next_word.start - word.end
    if _SENTENCE_END.search(text) and not _ABBREVIATION.search(text):
        return True
    return pause >= LONG_PAUSE_S or (pause >= CLAUSE_PAUSE_S and bool(_CLAUSE_END.search(text)))


def _cut_long(words: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    if len(words) <= MAX_WORDS:
        return [words]

    def break_strength(i: int) -> float:
        clause = 0.3 if _CLAUSE_END.search(words[i].text.strip()) else 0.0
        return words[i + 1].start - words[i].end + clause

    margin = 3  # never leave a fragment of a few words
    cut = max(range(margin, len(words) - margin), key=break_strength)
    return _cut_long(words[: cut + 1]) + _cut_long(words[cut + 1 :])


def split_sentences(words: list[Word]) -> list[SentenceSpan]:
    sentences: list[SentenceSpan] = []
    current: list[Word] = []
    for word, next_word in zip(words, [*words[1:], None]):
        current.append(word)
        if _ends_sentence(word, next_word):
            if any(w.text.strip() for w in current):
                sentences.extend(SentenceSpan(part) for part in _cut_long(tuple(current)))
            current = []
    return sentences
