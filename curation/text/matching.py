"""Nearest medical terms to a misheard span, by spelling and by sound."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from curation.text.lexicon import Lexicon, load_lexicon
from curation.text.similarity import Closeness, closeness, letters
from curation.text.tokens import fold

MIN_TARGET_LETTERS = 5  # short words and acronyms are too easy to reach by accident
PREFILTER_SIMILARITY = 0.45  # spelling similarity below which the sound is not even compared
TargetKind = Literal["term", "term-word", "dictionary"]
# Among near-equal matches a curated term beats one word of a term, which beats a dictionary word.
KIND_PRIORITY: dict[TargetKind, float] = {"term": 0.08, "term-word": 0.05, "dictionary": 0.0}


@dataclass(frozen=True)
class Target:
    text: str  # how to write it
    name: str  # the term (or word) it is a form of: "koilocytes" is a form of "koilocyte"
    kind: TargetKind
    words: int  # how many words it has

    @property
    def curated(self) -> bool:
        return self.kind != "dictionary"


@dataclass(frozen=True)
class Match:
    target: Target
    closeness: Closeness

    @property
    def rank(self) -> float:
        return self.closeness.score + KIND_PRIORITY[self.target.kind]


class _Index:
    def __init__(self, targets: dict[str, Target]):
        self.by_key = targets
        self.keys = list(targets)
        self.targets = list(targets.values())

    def nearest(self, text: str, limit: int) -> list[Match]:
        query = letters(text)
        if len(query) < MIN_TARGET_LETTERS - 1:
            return []
        hits = process.extract(
            query, self.keys, scorer=Levenshtein.normalized_similarity,
            score_cutoff=PREFILTER_SIMILARITY, limit=limit * 4,
        )
        matches = [Match(self.targets[i], closeness(text, self.targets[i].text)) for _, _, i in hits]
        return sorted(matches, key=lambda m: m.rank, reverse=True)[:limit]


def _curated_targets(lexicon: Lexicon) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for term in lexicon.terms:
        # the rarer words of a multi-word term ("Verocay", "psammoma") are histology vocabulary too
        for spelling in term.spellings:
            if len(spelling.split()) < 2:
                continue
            for word in re.findall(r"[A-Za-z]+", spelling):
                if fold(word) not in lexicon.english:
                    targets.setdefault(fold(word), Target(word, fold(word), "term-word", 1))
    for tokens, form in lexicon.forms.items():
        targets["".join(tokens)] = Target(form.text, form.name, "term", len(tokens))
    return {k: t for k, t in targets.items() if len(k) >= MIN_TARGET_LETTERS and not k.isdigit()}


def _dictionary_targets(lexicon: Lexicon) -> dict[str, Target]:
    return {
        w: Target(w, w, "dictionary", 1)
        for w in sorted(lexicon.medical - lexicon.english)
        if w.isalpha() and len(w) >= MIN_TARGET_LETTERS
    }


class TermMatcher:
    """Two indexes: the curated terms (and their rarer words), and the rest of hunspell-en-med."""

    def __init__(self, lexicon: Lexicon):
        self.curated = _Index(_curated_targets(lexicon))
        self.dictionary = _Index(_dictionary_targets(lexicon))
        self._forms_with_word: dict[str, list[tuple[str, ...]]] = {}
        for form in lexicon.forms:
            if len(form) > 1:
                for word in set(form):
                    self._forms_with_word.setdefault(word, []).append(form)

    def nearest(self, text: str, limit: int = 6) -> list[Match]:
        return self.curated.nearest(text, limit)

    def forms_containing(self, word: str) -> list[tuple[str, ...]]:
        """Multi-word term forms (as token tuples) that contain this normalised word."""
        return self._forms_with_word.get(word, [])

    def same_letters(self, text: str) -> Target | None:
        """The curated term spelled with exactly these letters ("hyper keratosis" -> hyperkeratosis)."""
        return self.curated.by_key.get(letters(text))

    def nearest_dictionary_word(self, text: str, limit: int = 6) -> list[Match]:
        return self.dictionary.nearest(text, limit)


@cache
def default_matcher() -> TermMatcher:
    return TermMatcher(load_lexicon())
