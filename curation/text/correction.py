"""Correction of misheard medical terms without an LLM: which spans of a sentence to replace by
which term, judged by spelling and sound (Levenshtein, Metaphone) and by Whisper's confidence.
The candidates are, first, the video's own vocabulary (the terms on its slides and page: a looser
bar, since the lecturer wrote them), then the curated terms, then hunspell-en-med's words (for a
word no dictionary knows, one or two letters off). Five kinds of mishearing are looked for:
- a span close to a term of the video's vocabulary ("needle-nelson stain", "case in granuloma");
- a word no dictionary knows, alone or with its neighbours ("namoplastic stroma");
- a long term heard as several everyday words ("mucus to chemistry");
- a multi-word term with one word heard wrong ("meson trichrome", "case is necrosis");
- a term split into several words ("hyper keratosis").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import Levenshtein

from curation.lexicon.lexicon import Lexicon, is_unknown
from curation.lexicon.terms import find_terms
from curation.lexicon.tokens import (
    FUNCTION_WORDS,
    fold,
    inflections,
    join_words,
    normalize_tokens,
    plural_forms,
    word_core,
)
from curation.text.matching import Match, TermMatcher
from curation.text.sentences import SpokenWord
from curation.text.similarity import closeness, letters

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
MIN_SCORE_VOCABULARY = 0.6  # a term written on the video's slides or page needs less
MIN_EACH_VOCABULARY = 0.45
MIN_CHANGED_SCORE = 0.35  # and the words it replaces resemble the words it puts in
MAX_DICTIONARY_EDITS = 2  # a dictionary word is a candidate only a letter or two away
MIN_EACH_DICTIONARY = 0.8
DICTIONARY_MARGIN = 0.05  # and with no other dictionary word nearly as close
_BREAK = re.compile(r"[.?!;:]$")
_CLAUSE = re.compile(r"[,.?!;:]$")


FixOrigin = Literal["vocabulary", "terms", "dictionary"]


@dataclass(frozen=True)
class SpanFix:
    first: int
    last: int  # exclusive
    wrong: str
    match: Match
    origin: FixOrigin = "terms"

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


def _in_number_heard(form: tuple[str, ...], last_heard: SpokenWord) -> tuple[str, ...]:
    """The term's form in the number the narrator used: "typical melanocytes" -> atypical melanocytes."""
    heard = normalize_tokens(last_heard.text)[-1:]
    plural = [form[:-1] + (p,) for p in plural_forms(form[-1]) if (p,) == heard]
    return plural[0] if plural else form


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
    target = matcher.same_letters("".join(_in_number_heard(place.form, words[place.last - 1])))
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


def _foreign_terms(fix: SpanFix, lexicon: Lexicon) -> bool:
    """The span holds a term, or a specialist word, that the fix would not keep: it was heard right."""
    kept = set(normalize_tokens(fix.match.target.text))
    found = {w for name in find_terms(fix.wrong, lexicon) for w in normalize_tokens(name)}
    specialist = {
        t for t in normalize_tokens(fix.wrong) if lexicon.is_medical(t) and not lexicon.is_english(t)
    }
    return bool((found | specialist) - kept - {p for w in kept for p in plural_forms(w)})


def _changed_words(words: list[SpokenWord], fix: SpanFix) -> list[SpokenWord]:
    """The span's words that the fix replaces (not those it keeps, singular or plural)."""
    meant = normalize_tokens(fix.match.target.text)
    return [
        w
        for w in words[fix.first : fix.last]
        if not all(any(_same_word(t, m) for m in meant) for t in normalize_tokens(w.text))
    ]


def _resembles(changed: list[SpokenWord], missing: list[str]) -> bool:
    heard = join_words([w.text for w in changed])
    return closeness(heard, " ".join(missing)).score >= MIN_CHANGED_SCORE


def _vocabulary_fix_holds(words: list[SpokenWord], fix: SpanFix, lexicon: Lexicon) -> bool:
    close, target = fix.match.closeness, fix.match.target
    changed = _changed_words(words, fix)
    heard = {t for w in words[fix.first : fix.last] for t in normalize_tokens(w.text)}
    missing = [m for m in normalize_tokens(target.text) if not any(_same_word(m, h) for h in heard)]
    single_everyday_word = target.words == 1 and lexicon.is_english(letters(target.text))
    return (
        bool(changed)  # only a change of case or number is no correction
        and not any(_CLAUSE.search(w.text) for w in words[fix.first : fix.last - 1])
        and close.score >= MIN_SCORE_VOCABULARY
        and min(close.spelling, close.sound) >= MIN_EACH_VOCABULARY
        # the words replaced were doubtful, or nearly the term already
        and (close.spelling >= NEARLY_SAME_SPELLING or _uncertain(changed, lexicon))
        # an everyday word ("skin") replaces only a word no dictionary knows, or several merged
        and (
            not single_everyday_word
            or fix.words > 1
            or any(is_unknown(word_core(w.text), lexicon) for w in changed)
        )
        # what is replaced resembles what replaces it: no "full thickness" -> "Breslow thickness"
        and (not missing or _resembles(changed, missing))
        and _keeps_letters(fix)
        and not _foreign_terms(fix, lexicon)
    )


def _from_vocabulary(
    words: list[SpokenWord], lexicon: Lexicon, vocabulary: TermMatcher
) -> list[SpanFix]:
    """Spans that sound like a term written on the video's slides or page, where Whisper was
    unsure or the spelling is nearly the same: "lengthened giant cell" on a slide of Langhans giant cells."""
    found = []
    for first, last in _spans(len(words), MAX_FRAGMENT_WORDS):
        wrong = _span_text(words, first, last)
        if wrong is None or _already_a_term(wrong, lexicon):
            continue
        for match in vocabulary.nearest(wrong, limit=3):
            fix = SpanFix(first, last, wrong, match, "vocabulary")
            split = fix.split_only and normalize_tokens(wrong) != normalize_tokens(match.target.text)
            if split or (not fix.split_only and _vocabulary_fix_holds(words, fix, lexicon)):
                found.append(fix)
    return found


def _from_dictionary(
    words: list[SpokenWord], lexicon: Lexicon, dictionary: TermMatcher
) -> list[SpanFix]:
    """A word no dictionary knows, a letter or two from one word of hunspell-en-med, and from no other."""
    found = []
    for i, word in enumerate(words):
        core = word_core(word.text)
        if not is_unknown(core, lexicon) or _span_text(words, i, i + 1) is None:
            continue
        ranked = dictionary.nearest(core, limit=2)
        if not ranked:
            continue
        best, close = ranked[0], ranked[0].closeness
        runner_up = ranked[1].closeness.score if len(ranked) > 1 else 0.0
        if (
            Levenshtein.distance(letters(core), letters(best.target.text)) <= MAX_DICTIONARY_EDITS
            and letters(core)[:1] == letters(best.target.text)[:1]
            and min(close.spelling, close.sound) >= MIN_EACH_DICTIONARY
            and runner_up < close.score - DICTIONARY_MARGIN
        ):
            found.append(SpanFix(i, i + 1, core, best, "dictionary"))
    return found


_ORIGIN_RANK: dict[FixOrigin, int] = {"vocabulary": 2, "terms": 1, "dictionary": 0}


def span_fixes(
    words: list[SpokenWord],
    lexicon: Lexicon,
    matcher: TermMatcher,
    vocabulary: TermMatcher | None = None,
    dictionary: TermMatcher | None = None,
) -> list[SpanFix]:
    """The best non-overlapping corrections of a sentence's misheard spans: the video's
    `vocabulary` first, the curated terms of `matcher`, then the medical `dictionary`'s words."""
    candidates = (
        _unambiguous(
            _around_unknown_words(words, lexicon, matcher)
            + _fragmented_terms(words, lexicon, matcher)
        )
        + _in_term_context(words, lexicon, matcher)
        + _split_words(words, matcher)
        + (_unambiguous(_from_vocabulary(words, lexicon, vocabulary)) if vocabulary else [])
        + (_from_dictionary(words, lexicon, dictionary) if dictionary else [])
    )
    chosen: list[SpanFix] = []
    # a term the ASR merely split ("pseudo stratified") is certain; it goes first, then the
    # video's own terms, then the curated ones, then plain dictionary words
    ranked = sorted(
        candidates, key=lambda f: (f.split_only, _ORIGIN_RANK[f.origin], f.value), reverse=True
    )
    for fix in ranked:
        if all(fix.last <= c.first or fix.first >= c.last for c in chosen):
            chosen.append(fix)
    return sorted(chosen, key=lambda f: f.first)
