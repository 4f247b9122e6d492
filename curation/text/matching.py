"""Nearest curated terms to a misheard span, by spelling and by sound."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from curation.lexicon.lexicon import Lexicon, load_lexicon
from curation.lexicon.tokens import fold, normalize_tokens, plural_forms
from curation.text.similarity import Closeness, closeness, letters

MIN_TARGET_LETTERS = 5  # short words and acronyms are too easy to reach by accident
MIN_DICTIONARY_LETTERS = 7  # dictionary words are many: only long ones are near by design
PREFILTER_SIMILARITY = 0.45  # spelling similarity below which the sound is not even compared
# A video's own terms are few, so spellings further off are still compared by sound.
VOCABULARY_PREFILTER_SIMILARITY = 0.4
NEAREST_ANSWERS_KEPT = 4096  # per matcher
TargetKind = Literal["term", "term-word"]
# Among near-equal matches a whole curated term beats one word of a multi-word term.
KIND_PRIORITY: dict[TargetKind, float] = {"term": 0.03, "term-word": 0.0}


@dataclass(frozen=True)
class Target:
    text: str  # how to write it
    name: str  # the term (or word) it is a form of: "koilocytes" is a form of "koilocyte"
    kind: TargetKind
    words: int  # how many words it has


@dataclass(frozen=True)
class Match:
    target: Target
    closeness: Closeness

    @property
    def rank(self) -> float:
        return self.closeness.score + KIND_PRIORITY[self.target.kind]


def _targets(lexicon: Lexicon) -> dict[str, Target]:
    """Correction targets keyed by their letters: every form of every curated term, and the rarer
    words of multi-word terms ("Verocay", "psammoma"), which are histology vocabulary too."""
    targets: dict[str, Target] = {}
    for term in lexicon.terms:
        for spelling in (s for s in term.spellings if len(s.split()) > 1):
            for word in re.findall(r"[A-Za-z]+", spelling):
                if fold(word) not in lexicon.english:
                    targets.setdefault(fold(word), Target(word, fold(word), "term-word", 1))
    for tokens, form in lexicon.forms.items():
        targets["".join(tokens)] = Target(form.text, form.name, "term", len(tokens))
    return {
        key: t for key, t in targets.items() if len(key) >= MIN_TARGET_LETTERS and not key.isdigit()
    }


def vocabulary_targets(vocabulary: list[str], lexicon: Lexicon) -> dict[str, Target]:
    """A video's own terms as correction targets: every form of a curated term it names, and its
    other medical words as written on its slides or page."""
    targets: dict[str, Target] = {}
    for entry in vocabulary:
        known = lexicon.forms.get(normalize_tokens(entry))
        if known is None:
            targets.setdefault(letters(entry), Target(entry, fold(entry), "term-word", len(entry.split())))
            continue
        for form in lexicon.forms_of[known.name]:
            text = lexicon.forms[form].text
            targets.setdefault("".join(form), Target(text, known.name, "term", len(form)))
    return {key: t for key, t in targets.items() if len(key) >= MIN_TARGET_LETTERS - 1}


def dictionary_targets(lexicon: Lexicon) -> dict[str, Target]:
    """hunspell-en-med's specialist words (no English speller knows them), long enough that a
    near miss is no accident: the candidates beyond the curated terms."""
    return {
        word: Target(word, word, "term-word", 1)
        for word in lexicon.medical
        if word.isalpha() and len(word) >= MIN_DICTIONARY_LETTERS and word not in lexicon.english
    }


class TermMatcher:
    def __init__(
        self,
        lexicon: Lexicon,
        targets: dict[str, Target] | None = None,
        prefilter: float = PREFILTER_SIMILARITY,
    ):
        """Matches against `targets` (by default every curated term of the lexicon), those at
        least `prefilter` alike in spelling."""
        self._prefilter = prefilter
        self._by_key = _targets(lexicon) if targets is None else targets
        self._keys = list(self._by_key)
        self._targets = list(self._by_key.values())
        self._forms_with_word: dict[str, list[tuple[str, ...]]] = {}
        self._names_with_word: dict[str, set[str]] = {}
        # the correction search asks the same queries again; the matchers live as long as the process
        self._nearest = lru_cache(maxsize=NEAREST_ANSWERS_KEPT)(self._search)
        for form, term_form in lexicon.forms.items():
            for word in set(form):
                self._names_with_word.setdefault(word, set()).add(term_form.name)
                if len(form) > 1:  # found by the word as heard, singular or plural
                    for key in {word} | (plural_forms(word) if word.isalpha() else set()):
                        self._forms_with_word.setdefault(key, []).append(form)

    @property
    def targets(self) -> list[Target]:
        return list(self._targets)

    def nearest(self, text: str, limit: int = 6) -> list[Match]:
        """Targets close to `text`, best first."""
        return list(self._nearest(text, limit))

    def _search(self, text: str, limit: int) -> list[Match]:
        query = letters(text)
        if len(query) < MIN_TARGET_LETTERS - 1:
            return []
        hits = process.extract(
            query,
            self._keys,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=self._prefilter,
            limit=limit * 4,
        )
        matches = [
            Match(self._targets[i], closeness(text, self._targets[i].text)) for _, _, i in hits
        ]
        return sorted(matches, key=lambda m: m.rank, reverse=True)[:limit]

    def forms_containing(self, word: str) -> list[tuple[str, ...]]:
        """Multi-word term forms (as token tuples) that contain this normalised word or its singular."""
        return self._forms_with_word.get(word, [])

    def terms_using(self, word: str) -> int:
        """How many curated terms have this normalised word in one of their forms."""
        return len(self._names_with_word.get(word, ()))

    def same_letters(self, text: str) -> Target | None:
        """The term spelled with exactly these letters ("hyper keratosis" -> hyperkeratosis)."""
        return self._by_key.get(letters(text))


@cache
def default_matcher() -> TermMatcher:
    return TermMatcher(load_lexicon())


@cache
def dictionary_matcher() -> TermMatcher:
    lexicon = load_lexicon()
    return TermMatcher(lexicon, dictionary_targets(lexicon))
