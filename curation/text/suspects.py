"""Words the ASR probably misheard: not in any dictionary, or unlikely and close to a medical term."""

from __future__ import annotations

from curation.lexicon.lexicon import Lexicon, is_unknown
from curation.lexicon.tokens import normalize_tokens, word_core
from curation.text.matching import TermMatcher
from curation.text.sentences import SpokenWord

LOW_PROBABILITY = 0.5  # Whisper's word probability under which a dictionary word is doubted
NEAR_TERM_SCORE = 0.75  # how close an unlikely word must be to a curated term to be doubted


def is_doubtful(word: SpokenWord, lexicon: Lexicon, matcher: TermMatcher) -> bool:
    core = word_core(word.text)
    if word.probability >= LOW_PROBABILITY or len(core) < 4 or lexicon.is_medical(core):
        return False
    if normalize_tokens(core) in lexicon.forms:
        return False  # "congo-red" is a term already
    best = matcher.nearest(core, limit=1)
    return bool(best) and best[0].closeness.score >= NEAR_TERM_SCORE


def suspect_indices(words: list[SpokenWord], lexicon: Lexicon, matcher: TermMatcher) -> list[int]:
    return [
        i
        for i, w in enumerate(words)
        if is_unknown(word_core(w.text), lexicon) or is_doubtful(w, lexicon, matcher)
    ]
