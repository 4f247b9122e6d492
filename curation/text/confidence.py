"""How sure the text stage is that a sentence says what the narrator said.

Whisper's word probabilities are read together with the lexicon: a word heard with less than near
certainty is doubtful, the more so the less likely, unless it is a word of the lexicon or of the
video's vocabulary (a term the narrator plausibly said) or a correction replaced it; a word no
dictionary knows is doubtful whatever its probability, unless corrected. A function word is
doubted only when Whisper nearly guessed it: the "to" and "a" of "color act to land a carcinoma"
glue a misheard term together. Doubtful words in a run count more than scattered ones, since a
misheard term ("needle-nelson", "azilias") comes as a run of them. A short sentence is judged as
if it had `MIN_JUDGED_WORDS` words, so one doubtful word in three does not condemn it. Calibrated
on the demo lectures' frozen transcripts and on the noisy ones (`bench/caption_quality.py` prints,
per cut, the share of kept captions with more than a fifth of their words never said and the
share of clean captions kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.lexicon.lexicon import Lexicon, is_unknown
from curation.lexicon.tokens import FUNCTION_WORDS, fold, normalize_tokens, word_core
from curation.text.sentences import SentenceSpan, SpokenWord

# A word heard with a probability under SURE_PROBABILITY is doubtful unless the lexicon vouches
# for it, the more so the less likely, and wholly at DOUBTFUL_PROBABILITY or under.
SURE_PROBABILITY = 0.95
DOUBTFUL_PROBABILITY = 0.5
# Each doubtful word costs this share of the sentence's confidence, per word of the sentence,
# and a doubtful word next to another costs RUN_WEIGHT times more.
DOUBT_WEIGHT = 7.0
RUN_WEIGHT = 1.5
FUNCTION_WORD_PROBABILITY = 0.3  # under this a function word is doubtful, in proportion
MIN_JUDGED_WORDS = 10
UNCERTAIN_DOUBT = 0.5  # a word at least this doubtful is listed as uncertain


@dataclass(frozen=True)
class Judgement:
    confidence: float
    uncertain: list[str]


def _vouched(core: str, lexicon: Lexicon, own_words: set[str]) -> bool:
    tokens = normalize_tokens(core)
    return bool(tokens) and all(
        t in own_words or (lexicon.is_medical(t) and not lexicon.is_english(t)) or t.isdigit()
        for t in tokens
    )


def _doubt(word: SpokenWord, resolved: set[str], lexicon: Lexicon, own_words: set[str]) -> float:
    """How doubtful a word is, in [0, 1]: 0 for a word the sentence can be sure of."""
    core = word_core(word.text)
    tokens = normalize_tokens(core)
    if not tokens or set(tokens) <= resolved:
        return 0.0
    if fold(core) in FUNCTION_WORDS:
        return max(0.0, FUNCTION_WORD_PROBABILITY - word.probability) / FUNCTION_WORD_PROBABILITY
    if is_unknown(core, lexicon):
        return 1.0
    if _vouched(core, lexicon, own_words):
        return 0.0
    unsure = (SURE_PROBABILITY - word.probability) / (SURE_PROBABILITY - DOUBTFUL_PROBABILITY)
    return min(1.0, max(0.0, unsure))


def judge_confidence(
    span: SentenceSpan,
    applied: list[tuple[str, str]],
    lexicon: Lexicon,
    vocabulary: tuple[str, ...] = (),
) -> Judgement:
    """The sentence's confidence in [0, 1] and the doubtful words no correction resolved.

    `applied` lists the corrections made to the sentence (wrong, right): their words are resolved.
    """
    resolved = {t for wrong, _ in applied for t in normalize_tokens(wrong)}
    own_words = {t for entry in vocabulary for t in normalize_tokens(entry)} | {
        t for form in lexicon.forms for t in form if len(t) > 3
    }
    words = span.spoken
    doubts = [_doubt(word, resolved, lexicon, own_words) for word in words]
    cost = sum(
        d * (RUN_WEIGHT if (i > 0 and doubts[i - 1]) or (i + 1 < len(words) and doubts[i + 1]) else 1.0)
        for i, d in enumerate(doubts)
    )
    confidence = max(0.0, 1.0 - DOUBT_WEIGHT * cost / max(len(words), MIN_JUDGED_WORDS))
    uncertain = [word_core(w.text) for w, d in zip(words, doubts, strict=True) if d >= UNCERTAIN_DOUBT]
    return Judgement(round(confidence, 3), uncertain)
