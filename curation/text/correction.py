"""Correction of misheard medical terms by the lexicon alone: which spans of a sentence to replace
by which curated term, judged by spelling and sound (Levenshtein, Metaphone) and by Whisper's
confidence. Four kinds of mishearing are looked for:
- a word no dictionary knows, alone or with its neighbours ("namoplastic stroma");
- a long term heard as several everyday words ("mucus to chemistry");
- a multi-word term with one word heard wrong ("meson trichrome", "case is necrosis");
- a term split into several words ("hyper keratosis").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curation.text.lexicon import Lexicon
from curation.text.matching import Match, TermMatcher
from curation.text.sentences import SpokenWord
from curation.text.similarity import closeness, letters
from curation.text.suspects import is_unknown
from curation.text.terms import find_terms
from curation.text.tokens import (
    FUNCTION_WORDS,
    fold,
    inflections,
    join_words,
    normalize_tokens,
    word_core,
)

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
MAX_ANCHOR_TERMS = 20  # a word of the term heard right is context only if few terms use it
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
    def split_only(self) -> bool:
        return letters(self.wrong) == letters(self.match.target.text)

    @property
    def value(self) -> float:
        return self.match.rank + (SPAN_BONUS * (self.words - 1) if self.word_for_word else 0.0)


def _span_text(words: list[SpokenWord], first: int, last: int) -> str | None:
    if any(_BREAK.search(w.text) for w in words[first : last - 1]):
        return None  # a span never crosses the end of a sentence
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
    return (
        close.score >= floor
        and min(close.spelling, close.sound) >= MIN_EACH
        and _keeps_letters(fix)
    )


def _keeps_letters(fix: SpanFix) -> bool:
    """A term replacing more words than it has keeps most of their letters: no word just vanishes."""
    if fix.words <= fix.match.target.words:
        return True
    return len(letters(fix.match.target.text)) >= MIN_MERGED_LETTER_SHARE * len(letters(fix.wrong))


def _unambiguous(fixes: list[SpanFix]) -> list[SpanFix]:
    """Per span, the best fix, unless another term matches the span about as well."""
    best: list[SpanFix] = []
    for span in dict.fromkeys((f.first, f.last) for f in fixes):
        ranked = sorted(
            (f for f in fixes if (f.first, f.last) == span), key=lambda f: f.value, reverse=True
        )
        top = ranked[0]
        rivals = [f for f in ranked[1:] if f.match.target.name != top.match.target.name]
        if (
            not rivals
            or rivals[0].match.closeness.score < top.match.closeness.score - AMBIGUITY_MARGIN
        ):
            best.append(top)
    return best


def _spans(n_words: int, max_words: int, around: int | None = None) -> list[tuple[int, int]]:
    firsts = (
        range(max(0, around - max_words + 1), around + 1) if around is not None else range(n_words)
    )
    return [
        (first, last)
        for first in firsts
        for last in range(first + 1, min(n_words, first + max_words) + 1)
        if around is None or last > around
    ]


def _nearest_fixes(
    words: list[SpokenWord], spans, matcher: TermMatcher, lexicon: Lexicon
) -> list[SpanFix]:
    found = []
    for first, last in spans:
        wrong = _span_text(words, first, last)
        if wrong is not None and not _already_a_term(wrong, lexicon):
            found += [SpanFix(first, last, wrong, m) for m in matcher.nearest(wrong)]
    return found


def _around_unknown_words(
    words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher
) -> list[SpanFix]:
    """Spans holding a word no dictionary knows: "namoplastic stroma", "lankton's giant cell"."""
    unknown = [i for i, w in enumerate(words) if is_unknown(word_core(w.text), lexicon)]
    spans = sorted({span for i in unknown for span in _spans(len(words), MAX_SPAN_WORDS, around=i)})

    def folds_in_confident_words(fix: SpanFix) -> bool:
        return fix.words > fix.match.target.words and any(
            i not in unknown and words[i].probability >= UNCERTAIN_PROBABILITY
            for i in range(fix.first, fix.last)
        )

    fixes = _nearest_fixes(words, spans, matcher, lexicon)
    return [f for f in fixes if _close_enough(f) and not folds_in_confident_words(f)]


def _same_word(a: str, b: str) -> bool:
    """The same word, or one the plural of the other."""
    return a == b or (b,) in inflections((a,)) or (a,) in inflections((b,))


def _uncertain(words: list[SpokenWord], lexicon: Lexicon) -> bool:
    return any(
        w.probability < UNCERTAIN_PROBABILITY or is_unknown(word_core(w.text), lexicon)
        for w in words
    )


def _fragmented_terms(
    words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher
) -> list[SpanFix]:
    """A long term the ASR wrote as several everyday words: "mucus to chemistry".

    The span must share no word with the term, hold no term (else it was heard right, at least in
    part), no medical word an English speller does not know, no number, and at least one word
    Whisper was unsure of.
    """

    def fragment(fix: SpanFix) -> bool:
        tokens = normalize_tokens(fix.wrong)
        shared = any(
            _same_word(a, b) for a in tokens for b in normalize_tokens(fix.match.target.text)
        )
        return (
            not shared  # words shared with the term are the context rule's business
            and all(
                t.isalpha() and (lexicon.is_english(t) or not lexicon.is_medical(t)) for t in tokens
            )
            and not find_terms(fix.wrong, lexicon)
            and _uncertain(words[fix.first : fix.last], lexicon)
        )

    spans = [s for s in _spans(len(words), MAX_FRAGMENT_WORDS) if s[1] - s[0] > 1]
    return [
        f
        for f in _nearest_fixes(words, spans, matcher, lexicon)
        if f.words > f.match.target.words
        and len(letters(f.match.target.text)) >= MIN_FRAGMENTED_LETTERS
        and f.match.closeness.score >= MIN_SCORE_FRAGMENTED
        and min(f.match.closeness.spelling, f.match.closeness.sound) >= MIN_EACH
        and _keeps_letters(f)
        and fragment(f)
    ]


@dataclass(frozen=True)
class _Placement:
    """A multi-word term laid over the sentence: word `first` on, its word `odd` heard as `k` words."""

    first: int
    form: tuple[str, ...]
    odd: int
    k: int

    @property
    def last(self) -> int:
        return self.first + len(self.form) - 1 + self.k

    @property
    def expected(self) -> str:
        return self.form[self.odd]

    @property
    def others(self) -> tuple[str, ...]:
        return self.form[: self.odd] + self.form[self.odd + 1 :]


def _in_term_context(
    words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher
) -> list[SpanFix]:
    """A multi-word term heard with one of its words wrong, as one to three words:
    "meson trichrome", "uninterrupted tooth", "case is necrosis".

    Every other word of the term must be there (singular or plural), the odd words must sound or
    look like the term's word together, and Whisper must have been unsure of one of them (or not
    know it).
    """
    tokens = [normalize_tokens(w.text) for w in words]
    placements = set()
    for anchor, anchor_tokens in enumerate(tokens):
        if len(anchor_tokens) != 1:
            continue
        for form in matcher.forms_containing(anchor_tokens[0]):
            for position in (p for p, w in enumerate(form) if _same_word(w, anchor_tokens[0])):
                for odd in (o for o in range(len(form)) if o != position):
                    for k in range(1, MAX_SPAN_WORDS + 1):
                        first = anchor - position - (k - 1 if odd < position else 0)
                        placements.add(_Placement(first, form, odd, k))
    found = []
    for place in placements:
        if place.first < 0 or place.last > len(words):
            continue
        heard = tokens[place.first : place.last]
        around = heard[: place.odd] + heard[place.odd + place.k :]
        if any(len(t) != 1 for t in around) or not all(
            _same_word(t[0], w) for t, w in zip(around, place.others, strict=True)
        ):
            continue
        fix = _context_fix(words, place, lexicon, matcher)
        if fix is not None:
            found.append(fix)
    return found


def _specialist(word: SpokenWord, lexicon: Lexicon) -> bool:
    """A medical word no English speller knows ("lobular"): the ASR rarely makes one up."""
    return any(
        lexicon.is_medical(t) and not lexicon.is_english(t) for t in normalize_tokens(word.text)
    )


def _context_fix(
    words: list[SpokenWord], place: _Placement, lexicon: Lexicon, matcher: TermMatcher
) -> SpanFix | None:
    odd_words = words[place.first + place.odd : place.first + place.odd + place.k]
    heard = join_words([w.text for w in odd_words])
    if letters(heard) == place.expected or not _uncertain(odd_words, lexicon):
        return None
    close = closeness(heard, place.expected)
    nearly_same = place.k > 1 and close.spelling >= NEARLY_SAME_SPELLING  # "my epithelial"
    if any(_specialist(w, lexicon) for w in odd_words) and not nearly_same:
        return None  # "invasive lobular carcinoma" was said, not "tubular"
    # "cell" or "carcinoma" alone vouch for little: "Mason cell" is no "mast cell"
    weak_context = all(matcher.terms_using(w) > MAX_ANCHOR_TERMS for w in place.others)
    unknown = any(is_unknown(word_core(w.text), lexicon) for w in odd_words)
    if weak_context and not (unknown or nearly_same):
        return None
    if all(fold(word_core(w.text)) in FUNCTION_WORDS for w in odd_words):
        return None
    floor = MIN_SCORE_MERGING if place.k > 1 else MIN_SCORE_IN_CONTEXT
    if close.score < floor or min(close.spelling, close.sound) < MIN_EACH_IN_CONTEXT:
        return None
    if place.k > 1 and len(place.expected) < MIN_MERGED_LETTER_SHARE * len(letters(heard)):
        return None
    wrong = _span_text(words, place.first, place.last)
    target = matcher.same_letters("".join(place.form))
    if wrong is None or target is None or _already_a_term(wrong, lexicon):
        return None
    return SpanFix(place.first, place.last, wrong, Match(target, closeness(wrong, target.text)))


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
    candidates = (
        _unambiguous(
            _around_unknown_words(words, lexicon, matcher)
            + _fragmented_terms(words, lexicon, matcher)
        )
        + _in_term_context(words, lexicon, matcher)
        + _split_words(words, matcher)
    )
    chosen: list[SpanFix] = []
    # a term the ASR merely split ("pseudo stratified") is certain; it goes first
    for fix in sorted(candidates, key=lambda f: (f.split_only, f.value), reverse=True):
        if all(fix.last <= c.first or fix.first >= c.last for c in chosen):
            chosen.append(fix)
    return sorted(chosen, key=lambda f: f.first)
