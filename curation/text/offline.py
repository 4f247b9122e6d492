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
from curation.text.suspects import is_unknown
from curation.text.terms import find_terms
from curation.text.tokens import FUNCTION_WORDS, fold, join_words, normalize_tokens, word_core

MAX_SPAN_WORDS = 3
MAX_FRAGMENT_WORDS = 4
MIN_SCORE = 0.68  # mean of spelling and sound closeness to a curated term
MIN_EACH = 0.6  # and neither spelling nor sound may be far off on its own
MIN_SCORE_MERGING = 0.75  # when more words than the term has are folded into it ("infill trait")
MIN_MERGED_LETTER_SHARE = 0.8  # and the term keeps most of their letters: no word just vanishes
MIN_FRAGMENTED_LETTERS = 10  # a long term heard as several everyday words: "mucus to chemistry"
MIN_SCORE_FRAGMENTED = 0.7
UNCERTAIN_PROBABILITY = 0.8  # dictionary words are replaced only where Whisper was this unsure
MIN_SCORE_IN_CONTEXT = 0.62  # the rest of the term, heard right, vouches for one odd word
MIN_EACH_IN_CONTEXT = 0.5
MIN_WORD_PAIR_SCORE = 0.5  # each word of a multi-word term must still resemble the word it replaces
NEARLY_SAME_SPELLING = 0.85
AMBIGUITY_MARGIN = 0.03  # a runner-up (another term) this close means the span is left alone
SPAN_BONUS = 0.2  # per extra word, when a multi-word term accounts for every word of the span
_BREAK = re.compile(r"[.?!;:]$")


@dataclass(frozen=True)
class SpanFix:
    first: int
    last: int  # exclusive
    wrong: str
    match: Match

    @property
    def words(self) -> int:
        return self.last - self.first

    @property
    def word_for_word(self) -> bool:
        """A multi-word term whose every word resembles the word it replaces."""
        heard, meant = normalize_tokens(self.wrong), normalize_tokens(self.match.target.text)
        return len(heard) == len(meant) > 1 and all(
            a == b or closeness(a, b).score >= MIN_WORD_PAIR_SCORE for a, b in zip(heard, meant)
        )

    @property
    def value(self) -> float:
        return self.match.rank + (SPAN_BONUS * (self.words - 1) if self.word_for_word else 0.0)


def _span_text(words: list[SpokenWord], first: int, last: int) -> str | None:
    if any(_BREAK.search(w.text) for w in words[first : last - 1]):
        return None  # a span never crosses a sentence or clause mark
    if {fold(word_core(words[first].text)), fold(word_core(words[last - 1].text))} & FUNCTION_WORDS:
        return None  # "by moplastic" must not become one word
    return word_core(join_words([w.text for w in words[first:last]])) or None


def _already_a_term(text: str, lexicon: Lexicon) -> bool:
    return normalize_tokens(text) in lexicon.forms


def _close_enough(fix: SpanFix) -> bool:
    target, close = fix.match.target, fix.match.closeness
    if letters(fix.wrong) == letters(target.text):
        return normalize_tokens(fix.wrong) != normalize_tokens(target.text)
    floor = MIN_SCORE_MERGING if fix.words > target.words else MIN_SCORE
    return close.score >= floor and min(close.spelling, close.sound) >= MIN_EACH and _keeps_letters(fix)


def _keeps_letters(fix: SpanFix) -> bool:
    """A term replacing more words than it has keeps most of their letters: no word just vanishes."""
    if fix.words <= fix.match.target.words:
        return True
    return len(letters(fix.match.target.text)) >= MIN_MERGED_LETTER_SHARE * len(letters(fix.wrong))


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


def _spans(n_words: int, max_words: int, around: int | None = None) -> list[tuple[int, int]]:
    firsts = range(max(0, around - max_words + 1), around + 1) if around is not None else range(n_words)
    return [
        (first, last)
        for first in firsts
        for last in range(first + 1, min(n_words, first + max_words) + 1)
        if around is None or last > around
    ]


def _nearest_fixes(words: list[SpokenWord], spans, matcher: TermMatcher, lexicon: Lexicon) -> list[SpanFix]:
    found = []
    for first, last in spans:
        wrong = _span_text(words, first, last)
        if wrong is not None and not _already_a_term(wrong, lexicon):
            found += [SpanFix(first, last, wrong, m) for m in matcher.nearest(wrong)]
    return found


def _around_unknown_words(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    """Spans holding a word no dictionary knows: "namoplastic stroma", "lankton's giant cell"."""
    unknown = [i for i, w in enumerate(words) if is_unknown(word_core(w.text), lexicon)]
    spans = sorted({span for i in unknown for span in _spans(len(words), MAX_SPAN_WORDS, around=i)})

    def folds_in_confident_words(fix: SpanFix) -> bool:
        return fix.words > fix.match.target.words and any(
            i not in unknown and words[i].probability >= UNCERTAIN_PROBABILITY for i in range(fix.first, fix.last)
        )

    fixes = _nearest_fixes(words, spans, matcher, lexicon)
    return [f for f in fixes if _close_enough(f) and not folds_in_confident_words(f)]


def _uncertain(words: list[SpokenWord], lexicon: Lexicon) -> bool:
    return any(w.probability < UNCERTAIN_PROBABILITY or is_unknown(word_core(w.text), lexicon) for w in words)


def _fragmented_terms(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    """A long term the ASR wrote as several everyday words: "mucus to chemistry".

    The span must share no word with the term, hold no term (else it was heard right, at least in
    part), no medical word an English speller does not know, no number, and at least one word
    Whisper was unsure of.
    """

    def fragment(fix: SpanFix) -> bool:
        tokens = normalize_tokens(fix.wrong)
        shared = set(tokens) & set(normalize_tokens(fix.match.target.text))
        return (
            not shared  # words shared with the term are the context rule's business
            and all(t.isalpha() and (lexicon.is_english(t) or not lexicon.is_medical(t)) for t in tokens)
            and not find_terms(fix.wrong, lexicon)
            and _uncertain(words[fix.first : fix.last], lexicon)
        )

    spans = [s for s in _spans(len(words), MAX_FRAGMENT_WORDS) if s[1] - s[0] > 1]
    return [
        f for f in _nearest_fixes(words, spans, matcher, lexicon)
        if f.words > f.match.target.words
        and len(letters(f.match.target.text)) >= MIN_FRAGMENTED_LETTERS
        and f.match.closeness.score >= MIN_SCORE_FRAGMENTED
        and min(f.match.closeness.spelling, f.match.closeness.sound) >= MIN_EACH
        and _keeps_letters(f)
        and fragment(f)
    ]


def _in_term_context(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    """A multi-word term heard with one of its words wrong, as one to three words:
    "meson trichrome", "uninterrupted tooth", "case of the granuloma".

    Every other word of the term must be there exactly, the odd words must sound or look like the
    term's word together, and Whisper must have been unsure of one of them (or not know it).
    """
    tokens = [normalize_tokens(w.text) for w in words]
    forms = {form for t in tokens if len(t) == 1 for form in matcher.forms_containing(t[0])}
    found = []
    for form in forms:
        for odd in range(len(form)):
            for k in range(1, MAX_SPAN_WORDS + 1):
                n = len(form) - 1 + k
                for first in range(len(words) - n + 1):
                    heard = tokens[first : first + n]
                    if any(len(t) != 1 for t in heard[:odd] + heard[odd + k :]):
                        continue
                    if tuple(t[0] for t in heard[:odd] + heard[odd + k :]) != form[:odd] + form[odd + 1 :]:
                        continue
                    odd_words = words[first + odd : first + odd + k]
                    fix = _context_fix(words, first, first + n, odd_words, form, form[odd], lexicon, matcher)
                    if fix is not None:
                        found.append(fix)
    return found


def _specialist(word: SpokenWord, lexicon: Lexicon) -> bool:
    """A medical word no English speller knows ("lobular"): the ASR rarely makes one up."""
    return any(lexicon.is_medical(t) and not lexicon.is_english(t) for t in normalize_tokens(word.text))


def _context_fix(words, first, last, odd_words, form, expected, lexicon, matcher) -> SpanFix | None:
    heard = join_words([w.text for w in odd_words])
    if letters(heard) == expected or not _uncertain(odd_words, lexicon):
        return None
    close = closeness(heard, expected)
    nearly_same = len(odd_words) > 1 and close.spelling >= NEARLY_SAME_SPELLING  # "my epithelial"
    if any(_specialist(w, lexicon) for w in odd_words) and not nearly_same:
        return None  # "invasive lobular carcinoma" was said, not "tubular"
    if all(fold(word_core(w.text)) in FUNCTION_WORDS for w in odd_words):
        return None
    floor = MIN_SCORE_MERGING if len(odd_words) > 1 else MIN_SCORE_IN_CONTEXT
    if close.score < floor or min(close.spelling, close.sound) < MIN_EACH_IN_CONTEXT:
        return None
    if len(odd_words) > 1 and len(expected) < MIN_MERGED_LETTER_SHARE * len(letters(heard)):
        return None
    wrong = _span_text(words, first, last)
    target = matcher.same_letters("".join(form))
    if wrong is None or target is None or _already_a_term(wrong, lexicon):
        return None
    return SpanFix(first, last, wrong, Match(target, closeness(wrong, target.text)))


def _split_words(words: list[SpokenWord], matcher: TermMatcher) -> list[SpanFix]:
    """A term the ASR wrote as several words: "hyper keratosis", "pseudo stratified"."""
    found = []
    for first, last in _spans(len(words), MAX_SPAN_WORDS):
        wrong = _span_text(words, first, last) if last - first > 1 else None
        target = matcher.same_letters(wrong) if wrong else None
        if target is not None:
            found.append(SpanFix(first, last, wrong, Match(target, closeness(wrong, target.text))))
    return [f for f in found if _close_enough(f)]


def span_fixes(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    """The best non-overlapping corrections of a sentence's misheard spans."""
    candidates = _unambiguous(
        _around_unknown_words(words, lexicon, matcher) + _fragmented_terms(words, lexicon, matcher)
    ) + _in_term_context(words, lexicon, matcher) + _split_words(words, matcher)
    chosen: list[SpanFix] = []
    for fix in sorted(candidates, key=lambda f: f.value, reverse=True):
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
