"""The offline refiner: lexicon-driven correction and cue-driven MED/ROI selection, no LLM."""

from __future__ import annotations

import re
from dataclasses import dataclass

from curation.config import TextSettings
from curation.text.lexicon import Lexicon
from curation.text.matching import Match, TermMatcher
from curation.text.refiner import Extraction, Proposal
from curation.text.selection import is_roi_sentence, medical_terms
from curation.text.sentences import SentenceSpan, SpokenWord
from curation.text.similarity import closeness, letters
from curation.text.suspects import is_unknown, suspect_indices
from curation.text.tokens import FUNCTION_WORDS, fold, join_words, normalize_tokens, word_core

MAX_SPAN_WORDS = 3
MIN_SCORE = 0.68  # mean of spelling and sound closeness for a curated term
MIN_SCORE_MERGING = 0.75  # when more words than the term has are folded into it ("infill trait")
MERGED_WORD_PROBABILITY = 0.7  # and the words folded in must be suspects or uncertain themselves
CONTEXT_WORD_PROBABILITY = 0.5  # a dictionary word is replaced inside a term only below this
MIN_EACH = 0.6  # and neither spelling nor sound may be far off on its own
MIN_SCORE_DICTIONARY_WORD = 0.85  # a Hunspell medical word outside the curated list needs more
MIN_SPELLING_DICTIONARY_WORD = 0.8
MIN_DICTIONARY_WORD_LETTERS = 7
AMBIGUITY_MARGIN = 0.03  # a runner-up (another term) this close means the span is left alone
SPAN_BONUS = 0.05  # per extra word, when a multi-word term accounts for every word of the span
_BREAK = re.compile(r"[.?!,;:]$")


@dataclass(frozen=True)
class SpanFix:
    first: int
    last: int  # exclusive
    wrong: str
    match: Match

    @property
    def value(self) -> float:
        n = self.last - self.first
        return self.match.rank + (SPAN_BONUS * (n - 1) if self.match.target.words == n else 0.0)


def _span_text(words: list[SpokenWord], first: int, last: int) -> str | None:
    if any(_BREAK.search(w.text) for w in words[first : last - 1]):
        return None  # a span never crosses a sentence or clause mark
    if {fold(word_core(words[first].text)), fold(word_core(words[last - 1].text))} & FUNCTION_WORDS:
        return None  # "by moplastic" must not become one word
    return word_core(join_words([w.text for w in words[first:last]])) or None


def _already_a_term(text: str, lexicon: Lexicon) -> bool:
    return normalize_tokens(text) in lexicon.forms


def _acceptable(fix: SpanFix) -> bool:
    target, close = fix.match.target, fix.match.closeness
    if letters(fix.wrong) == letters(target.text):
        return fix.wrong.replace("-", " ").lower() != target.text.replace("-", " ").lower()
    if target.curated:
        floor = MIN_SCORE_MERGING if fix.last - fix.first > target.words else MIN_SCORE
        return close.score >= floor and min(close.spelling, close.sound) >= MIN_EACH
    return close.score >= MIN_SCORE_DICTIONARY_WORD and close.spelling >= MIN_SPELLING_DICTIONARY_WORD


def _unambiguous(fixes: list[SpanFix]) -> list[SpanFix]:
    """Per span, the best fix, unless another term matches the span about as well."""
    best: list[SpanFix] = []
    for span in dict.fromkeys((f.first, f.last) for f in fixes):
        ranked = sorted((f for f in fixes if (f.first, f.last) == span), key=lambda f: f.value, reverse=True)
        top = ranked[0]
        rivals = [f for f in ranked[1:] if f.match.target.name != top.match.target.name]
        if not rivals or rivals[0].match.closeness.score < top.match.closeness.score - AMBIGUITY_MARGIN:
            best.append(top)
    return best


def _spans_around(i: int, n_words: int) -> list[tuple[int, int]]:
    return [
        (first, last)
        for first in range(max(0, i - MAX_SPAN_WORDS + 1), i + 1)
        for last in range(i + 1, min(n_words, first + MAX_SPAN_WORDS) + 1)
    ]


def _fixes(words: list[SpokenWord], spans, nearest, lexicon: Lexicon) -> list[SpanFix]:
    found = []
    for first, last in spans:
        wrong = _span_text(words, first, last)
        if wrong is not None and not _already_a_term(wrong, lexicon):
            found += [SpanFix(first, last, wrong, m) for m in nearest(wrong)]
    return _unambiguous([f for f in found if _acceptable(f)])


def _merges_confident_words(fix: SpanFix, words: list[SpokenWord], suspects: list[int]) -> bool:
    if fix.last - fix.first <= fix.match.target.words:
        return False
    return any(
        i not in suspects and words[i].probability >= MERGED_WORD_PROBABILITY for i in range(fix.first, fix.last)
    )


def _in_term_context(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    """A multi-word term heard with one word wrong: "meson trichrome", "uninterrupted tooth".

    The other words of the term must be there exactly, and the odd word must sound or look like
    the term's word and be unknown or uncertain (Whisper's probability below 0.5).
    """
    tokens = [normalize_tokens(w.text) for w in words]
    placements = {
        (anchor - position, form)
        for anchor, anchor_tokens in enumerate(tokens) if len(anchor_tokens) == 1
        for form in matcher.forms_containing(anchor_tokens[0])
        for position, word in enumerate(form) if word == anchor_tokens[0]
    }
    found = []
    for first, form in sorted(placements):
        last = first + len(form)
        if first < 0 or last > len(words) or any(len(t) != 1 for t in tokens[first:last]):
            continue
        odd = [i for i in range(first, last) if tokens[i][0] != form[i - first]]
        if len(odd) != 1 or not _doubtful_in_context(words[odd[0]], form[odd[0] - first], lexicon):
            continue
        wrong = _span_text(words, first, last)
        target = matcher.same_letters("".join(form))
        if wrong and target and not _already_a_term(wrong, lexicon):
            found.append(SpanFix(first, last, wrong, Match(target, closeness(wrong, target.text))))
    return [f for f in found if _acceptable(f)]


def _doubtful_in_context(word: SpokenWord, expected: str, lexicon: Lexicon) -> bool:
    core = word_core(word.text)
    if len(core) < 4 or fold(core) in FUNCTION_WORDS:
        return False
    if lexicon.is_known(core) and word.probability >= CONTEXT_WORD_PROBABILITY:
        return False
    close = closeness(core, expected)
    return close.score >= MIN_SCORE and min(close.spelling, close.sound) >= MIN_EACH


def _split_words(words: list[SpokenWord], matcher: TermMatcher) -> list[SpanFix]:
    """A term the ASR wrote as several words: "hyper keratosis", "pseudo stratified"."""
    found = []
    for first in range(len(words) - 1):
        for last in range(first + 2, min(len(words), first + MAX_SPAN_WORDS) + 1):
            wrong = _span_text(words, first, last)
            target = matcher.same_letters(wrong) if wrong else None
            if target is not None:
                found.append(SpanFix(first, last, wrong, Match(target, closeness(wrong, target.text))))
    return [f for f in found if _acceptable(f)]


def _candidates(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    suspects = suspect_indices(words, lexicon, matcher)
    spans = sorted({span for i in suspects for span in _spans_around(i, len(words))})
    curated = [
        f for f in _fixes(words, spans, matcher.nearest, lexicon)
        if not _merges_confident_words(f, words, suspects)
    ]
    # a rare dictionary word is tried only where no curated term fits at all
    covered = {i for f in curated for i in range(f.first, f.last)}
    lone = [
        (i, i + 1) for i in suspects
        if i not in covered and len(letters(words[i].text)) >= MIN_DICTIONARY_WORD_LETTERS
        and is_unknown(word_core(words[i].text), lexicon)
    ]
    return (
        curated
        + _fixes(words, lone, matcher.nearest_dictionary_word, lexicon)
        + _split_words(words, matcher)
        + _in_term_context(words, lexicon, matcher)
    )


def span_fixes(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    """The best non-overlapping corrections of a sentence's misheard spans."""
    chosen: list[SpanFix] = []
    for fix in sorted(_candidates(words, lexicon, matcher), key=lambda f: f.value, reverse=True):
        if all(fix.last <= c.first or fix.first >= c.last for c in chosen):
            chosen.append(fix)
    return sorted(chosen, key=lambda f: f.first)


class OfflineRefiner:
    refiner_id = "offline-lexicon-1"

    def __init__(self, settings: TextSettings, lexicon: Lexicon, matcher: TermMatcher):
        self.settings, self.lexicon, self.matcher = settings, lexicon, matcher
        self.prompt_versions: dict[str, str] = {}
        self.tokens_used = 0
        self.requests = 0

    def propose_corrections(self, sentences: list[SentenceSpan]) -> list[Proposal]:
        return [
            Proposal(fix.wrong, fix.match.target.text, "lexicon", (index,))
            for index, sentence in enumerate(sentences)
            for fix in span_fixes(sentence.spoken, self.lexicon, self.matcher)
        ]

    def extract(self, texts: list[str]) -> Extraction:
        return Extraction(
            med=[t for t in texts if len(medical_terms(t, self.lexicon)) >= self.settings.min_med_terms],
            roi=[t for t in texts if is_roi_sentence(t)],
        )
