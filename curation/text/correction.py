"""Correction of misheard medical terms without an LLM: which spans of a sentence to replace by
which term, judged by spelling and sound (Levenshtein, Metaphone) and by Whisper's confidence.
The candidates are, first, the video's own vocabulary (the terms on its slides and page: a looser
bar, since the lecturer wrote them), then the curated terms, then hunspell-en-med's words (for a
word no dictionary knows, one or two letters off). These kinds of mishearing are looked for:
- a span close to a term of the video's vocabulary ("needle-nelson stain", "case in granuloma"),
  also once the unsure short words Whisper filled it with are left out ("to land a carcinoma"),
  or one unknown word that sounds like it ("brachat" for Grocott);
- a marker of the video's vocabulary said with its number in words ("the two" for HER2);
- a word no dictionary knows, alone or with its neighbours ("namoplastic stroma");
- a long term heard as several everyday words ("mucus to chemistry");
- a multi-word term with one word heard wrong ("meson trichrome", "case is necrosis");
- a term split into several words ("hyper keratosis").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from curation.lexicon.lexicon import Lexicon, is_unknown
from curation.lexicon.terms import find_terms, longest_terms
from curation.lexicon.tokens import (
    FUNCTION_WORDS,
    fold,
    inflections,
    join_words,
    normalize_tokens,
    plural_forms,
    said_letters,
    spoken_form,
    spoken_number,
    word_core,
)
from curation.text.matching import VOCABULARY_PREFILTER_SIMILARITY, Match, Target, TermMatcher
from curation.text.sentences import SpokenWord
from curation.text.similarity import Closeness, closeness, letters

MAX_SPAN_WORDS = 3
MAX_FRAGMENT_WORDS = 4
MAX_FILLERS = 2  # unsure function words inside a span that may be left out of its reading
MIN_SCORE = 0.68  # mean of spelling and sound closeness to a curated term
MIN_EACH = 0.6  # and neither spelling nor sound may be far off on its own
MIN_SCORE_MERGING = 0.75  # when more words than the term has are folded into it ("infill trait")
MIN_MERGED_LETTER_SHARE = 0.8  # and the term keeps most of their letters: no word just vanishes
MIN_FRAGMENTED_LETTERS = 10  # a long term heard as several everyday words: "mucus to chemistry"
MIN_SCORE_FRAGMENTED = 0.7
UNCERTAIN_PROBABILITY = 0.8  # dictionary words are replaced only where Whisper was this unsure
SURE_PROBABILITY = 0.9  # a word heard this surely was said, unless a fix spells it out whole
MIN_SCORE_IN_CONTEXT = 0.62  # the rest of the term, heard right, vouches for one odd word
MIN_EACH_IN_CONTEXT = 0.5
MIN_SCORE_WEAK_CONTEXT = 0.8  # "master-oid bodies": a word that close needs no strong context
MIN_WORD_PAIR_SCORE = 0.5  # each word of a multi-word term must still resemble the word it replaces
NEARLY_SAME_SPELLING = 0.85
FUNCTION_WORD_GAIN = 0.1  # an unsure function word joins a term only if the match gets this much closer
MIN_ABSORBED_SCORE = 0.5  # or if it sounds like the letters it adds to a term heard right
MAX_ANCHOR_TERMS = 20  # a word of the term heard right is context only if few terms use it
AMBIGUITY_MARGIN = 0.03  # a runner-up (another term) this close means the span is left alone
SPAN_BONUS = 0.2  # per extra word, when a multi-word term accounts for every word of the span
HEARD_WORD_BONUS = 0.02  # per extra word otherwise: of two near-equal readings, the one explaining more
MIN_SCORE_VOCABULARY = 0.6  # a term written on the video's slides or page needs less
MIN_EACH_VOCABULARY = 0.45
MIN_SOUND_UNKNOWN_WORD = 0.75  # a word no dictionary knows may be spelled further off if it sounds so
MIN_SPELLING_UNKNOWN_WORD = VOCABULARY_PREFILTER_SIMILARITY
MIN_CHANGED_SCORE = 0.35  # and the words it replaces resemble the words it puts in
MIN_SOUND_VOCABULARY_MARKER = 0.6  # "X5" for PAX5: the letters of a marker the video names
MIN_SPOKEN_LETTERS_SPELLING = 0.3  # "the two" for "her two": the letters were heard as a short word
GUESSED_PROBABILITY = 0.3  # a dictionary word Whisper was less sure of than this was a guess
MAX_DICTIONARY_EDITS = 2  # a dictionary word is a candidate only a letter or two away
MIN_EACH_DICTIONARY = 0.8
DICTIONARY_MARGIN = 0.05  # and with no other dictionary word nearly as close
NEGATION = "non"  # the prefix that turns a term into its opposite: non-necrotizing
MIN_NEGATION_SPELLING = 0.6  # "on", "no" and "now" may be a "non" misheard; "in" and "see" are not
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
        bonus = SPAN_BONUS if self.word_for_word else HEARD_WORD_BONUS
        return self.match.rank + bonus * (self.words - 1)


def _span_text(words: list[SpokenWord], first: int, last: int) -> str | None:
    if any(_BREAK.search(w.text) for w in words[first : last - 1]):
        return None  # a span never crosses the end of a sentence
    if any(_is_sure_function_word(words[i]) for i in {first, last - 1}):
        return None  # "by moplastic" must not become one word
    if all(_is_function_word(w) for w in words[first:last]):
        return None
    return word_core(join_words([w.text for w in words[first:last]])) or None


def _is_function_word(word: SpokenWord) -> bool:
    return fold(word_core(word.text)) in FUNCTION_WORDS


def _is_sure_function_word(word: SpokenWord) -> bool:
    return _is_function_word(word) and word.probability >= UNCERTAIN_PROBABILITY


def _absorbs_needlessly(words: list[SpokenWord], fix: SpanFix, lexicon: Lexicon) -> bool:
    """The fix takes in a function word at its edge ("this to plasma" -> Histoplasma) though the
    span without it is as close to the term: then the word was said ("by moplastic"). Unless
    the rest is a term already and the word sounds like what the fix adds to it: the "on" of
    "on necrotizing granuloma" is the "non" of non-necrotizing granuloma."""
    first, last = fix.first, fix.last
    while first < last and _is_function_word(words[first]):
        first += 1
    while last > first and _is_function_word(words[last - 1]):
        last -= 1
    if (first, last) == (fix.first, fix.last):
        return False
    rest = join_words([w.text for w in words[first:last]])
    target = letters(fix.match.target.text)
    if _already_a_term(rest, lexicon) and letters(rest) in target:
        added = target.replace(letters(rest), "", 1)
        absorbed = letters(join_words([w.text for w in words[fix.first : first] + words[last : fix.last]]))
        if closeness(absorbed, added).score >= MIN_ABSORBED_SCORE:
            return False
    gain = fix.match.closeness.score - closeness(rest, fix.match.target.text).score
    return gain < FUNCTION_WORD_GAIN


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


def _without_fillers(words: list[SpokenWord], first: int, last: int) -> str | None:
    """The span without the function words inside it that Whisper was unsure of, or None when
    it has none: Whisper fills a misheard term with short words ("them a plastic trauma",
    "to land a carcinoma"), so the term is matched against what is left too."""
    kept = [
        w.text
        for i, w in enumerate(words[first:last], first)
        if i in (first, last - 1) or not _is_function_word(w) or _is_sure_function_word(w)
    ]
    if len(kept) == last - first or len(kept) + MAX_FILLERS < last - first:
        return None
    return word_core(join_words(kept)) or None


def _readings(words: list[SpokenWord], first: int, last: int, max_words: int) -> list[str]:
    """What the span may have said: its words as heard (if no longer than `max_words`), and
    without their unsure fillers (if that is)."""
    heard = [_span_text(words, first, last)] if last - first <= max_words else []
    unfilled = _without_fillers(words, first, last)
    if unfilled is not None and len(unfilled.split()) <= max_words:
        heard.append(unfilled)
    return [h for h in heard if h is not None]


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


def _replaces_a_sure_word(words: list[SpokenWord], fix: SpanFix) -> bool:
    """The fix drops a word Whisper was sure of, which the term does not spell out: that word was
    said ("fibrous sets" for fibrous septa is no fibrocytes, "in this giant cell" no Langhans giant
    cell), though "them plastic" may be desmoplastic."""
    meant = letters(fix.match.target.text)
    return any(
        w.probability >= SURE_PROBABILITY and letters(w.text) not in meant for w in _changed_words(words, fix)
    )


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
    part), no medical word an English speller does not know, no number, at least one word Whisper
    was unsure of, and replace no word it was sure of.
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
            and not _replaces_a_sure_word(words, fix)
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
        lexicon.is_medical(t) and not lexicon.is_english(t)
        for t in normalize_tokens(word.text)
        if len(t) > 3  # not a piece such as the "oid" of "master-oid"
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
    if place.k > 1 and any(_same_word(t, place.expected) for t in normalize_tokens(odd_words[0].text)):
        return None  # the term's word heard right, then a word said after it: "thickness is"
    close = closeness(heard, place.expected)
    nearly_same = place.k > 1 and close.spelling >= NEARLY_SAME_SPELLING  # "my epithelial"
    if any(_specialist(w, lexicon) for w in odd_words) and not nearly_same:
        return None  # "invasive lobular carcinoma" was said, not "tubular"
    # "cell" or "carcinoma" alone vouch for little: "Mason cell" is no "mast cell"
    weak_context = all(matcher.terms_using(w) > MAX_ANCHOR_TERMS for w in place.others)
    unknown = any(is_unknown(word_core(w.text), lexicon) for w in odd_words)
    if weak_context and not (unknown or nearly_same or close.score >= MIN_SCORE_WEAK_CONTEXT):
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


_DOTTED_ACRONYM = re.compile(r"^(?:[A-Z]\.){2,}[A-Z]\.?$")  # "D.A.B.", as Whisper writes spelled letters


def _dotted_acronyms(words: list[SpokenWord], lexicon: Lexicon) -> list[SpanFix]:
    """An acronym spelled out letter by letter ("D.A.B.") is written as one ("DAB")."""
    found = []
    for i, word in enumerate(words):
        core = word_core(word.text) + ("." if word.text.strip().endswith(".") else "")
        if _DOTTED_ACRONYM.match(core):
            text = letters(core).upper()
            known = lexicon.forms.get(normalize_tokens(text))
            target = Target(known.text if known else text, known.name if known else text, "term", 1)
            # its last dot goes too, unless it also ends the sentence
            wrong = core if i + 1 < len(words) else word_core(word.text)
            found.append(SpanFix(i, i + 1, wrong, Match(target, closeness(core, text))))
    return found


def _hyphen_pieces(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[SpanFix]:
    """A term heard glued to the next word by a hyphen, as one word no dictionary knows:
    "melanar-reliable" for "Melan-A are reliable". The other piece must be a known word."""
    found = []
    for i, word in enumerate(words):
        core = word_core(word.text)
        head, dash, tail = core.partition("-")
        if not dash or not is_unknown(core, lexicon) or not lexicon.is_known(tail) or is_unknown(tail, lexicon):
            continue
        if lexicon.is_known(head) or not _uncertain([word], lexicon):
            continue
        pieces = _unambiguous([SpanFix(i, i + 1, head, m) for m in matcher.nearest(head)])
        for piece in (p for p in pieces if _close_enough(p)):
            text = f"{piece.match.target.text} {tail}"
            target = Target(text, piece.match.target.name, piece.match.target.kind, piece.match.target.words + 1)
            found.append(SpanFix(i, i + 1, core, Match(target, closeness(core, text))))
    return found


def _foreign_terms(fix: SpanFix, lexicon: Lexicon) -> bool:
    """The span holds a term, or a specialist word, that the fix would not keep: it was heard right.
    A term kept as the end of a longer word is kept: "land a carcinoma" -> adenocarcinoma."""
    kept = set(normalize_tokens(fix.match.target.text))
    heard = normalize_tokens(fix.wrong)
    # the words of the terms as heard: "histiocytes" is kept by epithelioid histiocytes, though the
    # term is named histiocyte; "thickness" heard is not kept by "Breslow thicknesses"
    found = {t for first, n, _ in longest_terms(heard, tuple, lexicon) for t in heard[first : first + n]}
    specialist = {t for t in heard if lexicon.is_medical(t) and not lexicon.is_english(t)}
    lost = (found | specialist) - kept - {p for w in kept for p in plural_forms(w)}
    return any(not any(w.endswith(t) for w in kept) for t in lost)


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


def _near_enough_to_vocabulary(close: Closeness) -> bool:
    return close.score >= MIN_SCORE_VOCABULARY and min(close.spelling, close.sound) >= MIN_EACH_VOCABULARY


def _sounds_like_vocabulary(words: list[SpokenWord], fix: SpanFix, lexicon: Lexicon) -> bool:
    """One word no dictionary knows, surely misheard, that sounds like a term of the video's
    vocabulary though spelled further off: "brachat" on a slide of Grocott, "Bresylococcus" for
    Breslow thickness."""
    close = fix.match.closeness
    return (
        fix.words == 1
        and is_unknown(word_core(words[fix.first].text), lexicon)
        and close.sound >= MIN_SOUND_UNKNOWN_WORD
        and close.spelling >= MIN_SPELLING_UNKNOWN_WORD
    )


def _vocabulary_fix_holds(words: list[SpokenWord], fix: SpanFix, lexicon: Lexicon) -> bool:
    close, target = fix.match.closeness, fix.match.target
    changed = _changed_words(words, fix)
    heard = {t for w in words[fix.first : fix.last] for t in normalize_tokens(w.text)}
    missing = [m for m in normalize_tokens(target.text) if not any(_same_word(m, h) for h in heard)]
    single_everyday_word = target.words == 1 and lexicon.is_english(letters(target.text))
    return (
        bool(changed)  # only a change of case or number is no correction
        and not any(_CLAUSE.search(w.text) for w in words[fix.first : fix.last - 1])
        and (_near_enough_to_vocabulary(close) or _sounds_like_vocabulary(words, fix, lexicon))
        # the words replaced were doubtful, or nearly the term already
        and (close.spelling >= NEARLY_SAME_SPELLING or _uncertain(changed, lexicon))
        # an everyday word ("skin") replaces only a word no dictionary knows, or several merged
        # that are no phrase of their own ("saw in", "In the panel" were said: they hold a
        # function word)
        and (
            not single_everyday_word
            or (fix.words > 1 and not any(_is_function_word(w) for w in words[fix.first : fix.last]))
            or any(is_unknown(word_core(w.text), lexicon) for w in changed)
        )
        # one everyday word ("fibrous") is replaced only where Whisper nearly guessed it
        and (fix.words > 1 or not all(lexicon.is_english(word_core(w.text)) for w in changed)
             or any(_guessed(w, lexicon) for w in changed))
        # what is replaced resembles what replaces it: no "full thickness" -> "Breslow thickness"
        and (not missing or _resembles(changed, missing))
        and _keeps_letters(fix)
        and not _replaces_a_sure_word(words, fix)
        and not _foreign_terms(fix, lexicon)
    )


def _from_vocabulary(
    words: list[SpokenWord], lexicon: Lexicon, vocabulary: TermMatcher
) -> list[SpanFix]:
    """Spans that sound like a term written on the video's slides or page, where Whisper was
    unsure or the spelling is nearly the same: "lengthened giant cell" on a slide of Langhans giant cells."""
    found = []
    for first, last in _spans(len(words), MAX_FRAGMENT_WORDS + MAX_FILLERS):
        wrong = _span_text(words, first, last)
        if wrong is None or _already_a_term(wrong, lexicon):
            continue
        readings = _readings(words, first, last, MAX_FRAGMENT_WORDS)
        for match in (m for heard in readings for m in vocabulary.nearest(heard, limit=3)):
            fix = SpanFix(first, last, wrong, match, "vocabulary")
            split = fix.split_only and normalize_tokens(wrong) != normalize_tokens(match.target.text)
            if split or (not fix.split_only and _vocabulary_fix_holds(words, fix, lexicon)):
                found.append(fix)
    return found


@cache
def _english_by_initial(english: frozenset[str]) -> dict[str, list[str]]:
    by_initial: dict[str, list[str]] = {}
    for word in english:
        by_initial.setdefault(word[:1], []).append(word)
    return by_initial


def _english_within(word: str, edits: int, lexicon: Lexicon) -> bool:
    """Whether an everyday word with the same first letter lies at most `edits` letters from `word`."""
    candidates = _english_by_initial(lexicon.english).get(word[:1], [])
    return process.extractOne(word, candidates, scorer=Levenshtein.distance, score_cutoff=edits) is not None


def _from_dictionary(
    words: list[SpokenWord], lexicon: Lexicon, dictionary: TermMatcher
) -> list[SpanFix]:
    """A word no dictionary knows, a letter or two from one word of hunspell-en-med, and from no
    other word, specialist or everyday ("blueing" is as near "bluing" as "bluewing")."""
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
        edits = Levenshtein.distance(letters(core), letters(best.target.text))
        if (
            edits <= MAX_DICTIONARY_EDITS
            and letters(core)[:1] == letters(best.target.text)[:1]
            and min(close.spelling, close.sound) >= MIN_EACH_DICTIONARY
            and runner_up < close.score - DICTIONARY_MARGIN
            and not _english_within(letters(core), edits, lexicon)
        ):
            found.append(SpanFix(i, i + 1, core, best, "dictionary"))
    return found


MarkersByNumber = dict[str, list[tuple[str, Target]]]  # number -> (letters, target): "5" -> ("pax", PAX5)


def _misheard_markers(words: list[SpokenWord], lexicon: Lexicon, named: MarkersByNumber) -> list[SpanFix]:
    """A marker whose number was heard right and whose letters sound like the marker's, and like
    no other marker with that number: "CHI 67" -> Ki-67. The letters must have been in doubt and
    written as a code's, not as an everyday word ("day 1" is no WT1). A
    marker the video names needs its letters only to sound near ("X5" -> PAX5 on a slide of PAX5),
    as long as no other marker the video names with that number sounds near too. `named`: the
    video's markers (`_video_markers`)."""
    found = []
    for first, last in _spans(len(words), 2):
        wrong = _span_text(words, first, last)
        tokens = normalize_tokens(wrong) if wrong else ()
        if len(tokens) != 2 or not (tokens[0].isalpha() and tokens[1].isdigit()):
            continue
        if tokens in lexicon.forms or not _uncertain(words[first:last], lexicon):
            continue
        if not _heard_as_code(words[first:last], lexicon):
            continue  # "day 1", "case 5": a word and a number, not WT1 or PAX5
        said = said_letters(tokens[0])
        curated = {
            t.name: t for letters, t in _markers_numbered(lexicon).get(tokens[1], ())
            if closeness(said, letters).sound == 1.0
        }
        alike = curated | {
            t.name: t for letters, t in named.get(tokens[1], ())
            if closeness(said, letters).sound >= MIN_SOUND_VOCABULARY_MARKER
        }
        if len(alike) == 1:
            target = next(iter(alike.values()))
            origin: FixOrigin = "terms" if target.name in curated else "vocabulary"
            found.append(SpanFix(first, last, wrong, Match(target, closeness(wrong, target.text)), origin))
    return found


def _heard_as_code(span: list[SpokenWord], lexicon: Lexicon) -> bool:
    """Whisper wrote letters and a number as a code: as one word ("X5", "chi-67"), or the letters
    in capitals ("CHI 67") or as no word a dictionary knows."""
    letters_heard = word_core(span[0].text)
    return len(span) == 1 or letters_heard.isupper() or is_unknown(letters_heard, lexicon)


def _guessed(word: SpokenWord, lexicon: Lexicon) -> bool:
    return word.probability < GUESSED_PROBABILITY or is_unknown(word_core(word.text), lexicon)


def _spoken_markers(words: list[SpokenWord], lexicon: Lexicon, named: MarkersByNumber) -> list[SpanFix]:
    """A marker of the video's vocabulary said as it is spoken, its number in words ("her two",
    "key sixty seven"), and heard so: a guessed word near its letters, then its number, and no
    other marker of the vocabulary alike ("and the two" -> HER2 on a slide of HER2 scores). A
    number in words is common speech, so only a marker the video names is looked for, and only
    where Whisper guessed the word before it."""
    found = []
    for first, last in _spans(len(words), 3):
        if last - first < 2 or not _guessed(words[first], lexicon):
            continue
        heard_letters = normalize_tokens(words[first].text)
        number = spoken_number(tuple(t for w in words[first + 1 : last] for t in normalize_tokens(w.text)))
        wrong = _span_text(words, first, last)
        if len(heard_letters) != 1 or number is None or wrong is None:
            continue
        alike = {
            t.name: t for letters, t in named.get(number, ())
            if closeness(heard_letters[0], letters).spelling >= MIN_SPOKEN_LETTERS_SPELLING
        }
        if len(alike) == 1:
            target = next(iter(alike.values()))
            close = closeness(wrong, spoken_form(target.text))
            found.append(SpanFix(first, last, wrong, Match(target, close), "vocabulary"))
    return found


def _by_number(forms: Iterable[tuple[tuple[str, ...], Target]]) -> MarkersByNumber:
    """The markers among (form, target): forms of letters then a number ("pax", "5"), as
    (letters, target) by their number."""
    found: dict[str, list[tuple[str, Target]]] = {}
    for form, target in forms:
        if len(form) == 2 and form[0].isalpha() and form[1].isdigit():
            found.setdefault(form[1], []).append((form[0], target))
    return found


@cache
def _markers_numbered(lexicon: Lexicon) -> MarkersByNumber:
    """The lexicon's markers, each spelling by itself ("ki", "67"), by their number."""
    return _by_number(
        (form, Target(term.text, term.name, "term", len(form))) for form, term in lexicon.forms.items()
    )


def _video_markers(vocabulary: TermMatcher | None) -> MarkersByNumber:
    """The markers the video names, by their number."""
    return _by_number((normalize_tokens(t.text), t) for t in vocabulary.targets) if vocabulary else {}


_ORIGIN_RANK: dict[FixOrigin, int] = {"vocabulary": 2, "terms": 1, "dictionary": 0}


def _candidates(
    words: list[SpokenWord],
    lexicon: Lexicon,
    matcher: TermMatcher,
    vocabulary: TermMatcher | None,
    dictionary: TermMatcher | None,
) -> list[SpanFix]:
    named = _video_markers(vocabulary)
    found = (
        _unambiguous(
            _around_unknown_words(words, lexicon, matcher)
            + _fragmented_terms(words, lexicon, matcher)
        )
        + _in_term_context(words, lexicon, matcher)
        + _split_words(words, matcher)
        + _misheard_markers(words, lexicon, named)
        + _dotted_acronyms(words, lexicon)
        + _hyphen_pieces(words, lexicon, matcher)
        + (_unambiguous(_from_vocabulary(words, lexicon, vocabulary)) if vocabulary else [])
        + _spoken_markers(words, lexicon, named)
        + (_from_dictionary(words, lexicon, dictionary) if dictionary else [])
    )
    return [f for f in found if not _absorbs_needlessly(words, f, lexicon) and not _invents_a_negation(words, f)]


def _invents_a_negation(words: list[SpokenWord], fix: SpanFix) -> bool:
    """The term says "non" where nothing like it was heard: "see necrotizing Grand" was necrotizing
    granulomas, no non-necrotizing granuloma; "on necrotizing" or "now necrotizing" may be."""
    if NEGATION not in normalize_tokens(fix.match.target.text):
        return False
    heard = [t for w in words[fix.first : fix.last] for t in normalize_tokens(w.text)]
    return not any(
        t.startswith(NEGATION) or closeness(t, NEGATION).spelling >= MIN_NEGATION_SPELLING for t in heard
    )


def _only_drops_words(fix: SpanFix, lexicon: Lexicon) -> bool:
    """The term was heard right inside the span, in any of its spellings or numbers, so the fix
    would only drop the words beside it ("immunohistochemistry helps", "classic Reed-Sternberg
    cell", "HER2 is" for HER2/neu), which were said too."""
    heard, meant = normalize_tokens(fix.wrong), normalize_tokens(fix.match.target.text)
    for size in range(1, len(heard)):
        for run in (heard[i : i + size] for i in range(len(heard) - size + 1)):
            known = lexicon.forms.get(run)
            same_term = known is not None and known.name == fix.match.target.name
            if same_term or run in inflections(meant) or meant in inflections(run):
                return True
    return False


def _cuts_a_term(words: list[SpokenWord], fix: SpanFix, lexicon: Lexicon) -> bool:
    """A term heard right runs across the edge of the span: "this to plasma cells" holds plasma
    cells, so it is no Histoplasma."""
    longest = MAX_FRAGMENT_WORDS
    for first in range(max(0, fix.first - longest + 1), fix.last):
        for last in range(max(first + 2, fix.first + 1), min(len(words), first + longest) + 1):
            crosses = (first < fix.first or last > fix.last) and first < fix.last and last > fix.first
            if crosses and normalize_tokens(join_words([w.text for w in words[first:last]])) in lexicon.forms:
                return True
    return False


def _best_non_overlapping(candidates: list[SpanFix]) -> list[SpanFix]:
    chosen: list[SpanFix] = []
    # a term the ASR merely split ("pseudo stratified") is certain; it goes first, then the
    # video's own terms, then the curated ones, then plain dictionary words
    ranked = sorted(
        candidates, key=lambda f: (f.split_only, _ORIGIN_RANK[f.origin], f.value), reverse=True
    )
    for fix in ranked:
        if all(fix.last <= c.first or fix.first >= c.last for c in chosen):
            chosen.append(fix)
    return chosen


def _with_fixes_applied(
    words: list[SpokenWord], fixes: list[SpanFix]
) -> tuple[list[SpokenWord], list[tuple[int, int]], set[int]]:
    """The sentence's words with each fix written in, one word per word of its term (heard
    surely, as the term now stands); for each word the span of heard words it stands for; and
    which words are written in."""
    starts = {f.first: f for f in fixes}
    merged: list[SpokenWord] = []
    came_from: list[tuple[int, int]] = []
    written: set[int] = set()
    i = 0
    while i < len(words):
        fix = starts.get(i)
        if fix is None:
            merged.append(words[i])
            came_from.append((i, i + 1))
            i += 1
            continue
        parts = fix.match.target.text.split()
        trailing = re.search(r"[^\w)]*$", words[fix.last - 1].text.strip()).group()
        written.update(range(len(merged), len(merged) + len(parts)))
        start = words[fix.first].start
        merged += [SpokenWord(p, 1.0, start) for p in parts[:-1]]
        merged.append(SpokenWord(parts[-1] + trailing, 1.0, start))
        came_from += [(fix.first, fix.last)] * len(parts)
        i = fix.last
    return merged, came_from, written


def _extending_fixes(
    words: list[SpokenWord],
    first_pass: list[SpanFix],
    lexicon: Lexicon,
    matcher: TermMatcher,
    vocabulary: TermMatcher | None,
    dictionary: TermMatcher | None,
) -> list[SpanFix]:
    """Fixes found once the first ones are written in, where a corrected term is the context of
    its neighbours ("sub capsular silos": subcapsular, then subcapsular sinus), as spans of the
    words heard. Only those that take in a first fix and more are new."""
    merged, came_from, written = _with_fixes_applied(words, first_pass)
    found = []
    for fix in _candidates(merged, lexicon, matcher, vocabulary, dictionary):
        inside = range(fix.first, fix.last)
        if not written & set(inside) or len(set(came_from[fix.first : fix.last])) < 2:
            continue  # found in the first pass already, or within one fix
        kept = tuple(t for i in inside if i in written for t in normalize_tokens(merged[i].text))
        target = _form_keeping(fix.match.target, kept, lexicon)
        if target is None:
            continue  # it would undo what the first pass wrote: "Ziehl-Neelsen stain shows" -> "stains"
        # a first fix taken in only in part is written in whole around the new term
        first, last = came_from[fix.first][0], came_from[fix.last - 1][1]
        before = [w.text for i, w in enumerate(merged[: fix.first]) if came_from[i][0] >= first]
        after = [w.text for i, w in enumerate(merged) if i >= fix.last and came_from[i][1] <= last]
        text = word_core(join_words([*before, target.text, *after]))
        wrong = _span_text(words, first, last)
        if wrong is None or _already_a_term(wrong, lexicon):
            continue
        known = lexicon.forms.get(normalize_tokens(text))
        target = Target(text, known.name if known else target.name, target.kind, len(normalize_tokens(text)))
        found.append(SpanFix(first, last, wrong, Match(target, closeness(wrong, text)), fix.origin))
    return found


def _contains_run(tokens: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return any(tokens[i : i + len(run)] == run for i in range(len(tokens) - len(run) + 1))


def _form_keeping(target: Target, kept: tuple[str, ...], lexicon: Lexicon) -> Target | None:
    """The target, or another form of its term, that has the words `kept` as they stand."""
    if _contains_run(normalize_tokens(target.text), kept):
        return target
    for form in lexicon.forms_of.get(target.name, ()):
        if _contains_run(form, kept):
            return Target(lexicon.forms[form].text, target.name, target.kind, len(form))
    return None


def span_fixes(
    words: list[SpokenWord],
    lexicon: Lexicon,
    matcher: TermMatcher,
    vocabulary: TermMatcher | None = None,
    dictionary: TermMatcher | None = None,
) -> list[SpanFix]:
    """The best non-overlapping corrections of a sentence's misheard spans: the video's
    `vocabulary` first, the curated terms of `matcher`, then the medical `dictionary`'s words;
    then, with those written in, the fixes they make possible."""

    def whole_terms_kept(fixes: list[SpanFix]) -> list[SpanFix]:
        return [f for f in fixes if not _cuts_a_term(words, f, lexicon)]

    # a term heard right takes no word beside it; one written in by the first pass may, in the
    # second ("acid-fast bacilli fin": the "fin" was the rest of the misheard term)
    first_pass = _best_non_overlapping(whole_terms_kept([
        f for f in _candidates(words, lexicon, matcher, vocabulary, dictionary) if not _only_drops_words(f, lexicon)
    ]))
    if not first_pass:
        return []
    extending = _best_non_overlapping(
        whole_terms_kept(_extending_fixes(words, first_pass, lexicon, matcher, vocabulary, dictionary))
    )
    kept = [f for f in first_pass if all(f.last <= e.first or f.first >= e.last for e in extending)]
    return sorted(extending + kept, key=lambda f: f.first)
