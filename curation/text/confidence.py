"""How sure the text stage is that a sentence says what the narrator said.

Whisper's word probabilities are read together with the lexicon: a word heard with less than near
certainty is doubtful, the more so the less likely, unless it is a word of the lexicon or of the
video's vocabulary (a term the narrator plausibly said) or a correction replaced it; a word no
dictionary knows is doubtful whatever its probability, unless corrected. A function word is doubted
only when Whisper nearly guessed it: the "to" and "a" of "color act to land a carcinoma" glue a
misheard term together, and beside an uncertain word one heard at less than even odds is doubted too
("he was in a" for "hemosiderin as", where only "was" was a guess). Doubtful words in a run count
more than scattered ones, since a misheard term ("needle-nelson", "azilias") comes as a run of them.
A short sentence is judged as if it had `MIN_JUDGED_WORDS` words, so one doubtful word in three does
not condemn it. Whisper predicts a segment's first word together with the segment's timestamp, so
that word is heard less surely (in the demo and noisy lectures' transcripts, a median probability of
0.82 against 0.92, and 30% under 0.5 against 16%): a dictionary word opening a segment is doubted
less, unless Whisper all but guessed it ("modules" for "nodules" at 0.10). Calibrated on the demo
lectures' frozen transcripts and on the noisy ones (`bench/caption_quality.py` prints, per cut, the
share of kept captions with more than a fifth of their words never said and the share of clean
captions kept).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from curation.lexicon.lexicon import Lexicon, is_unknown
from curation.lexicon.tokens import FUNCTION_WORDS, fold, normalize_tokens, word_core
from curation.records import Segment, Word
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
FUNCTION_WORD_IN_RUN_PROBABILITY = 0.6  # and under this one beside an uncertain word
MIN_JUDGED_WORDS = 10
UNCERTAIN_DOUBT = 0.5  # a word at least this doubtful is listed as uncertain
SEGMENT_OPENER_DOUBT = 0.3  # the share of its doubt a dictionary word opening a segment keeps
OPENER_GUESS_PROBABILITY = 0.2  # unless heard with less than this: a guess wherever it stands


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


def segment_openers(segments: list[Segment], words: list[Word]) -> frozenset[float]:
    """Start times of the words that open a segment: Whisper starts a segment at its first word
    when it times words, so that is the first word starting at or after the segment's start."""
    starts = [w.start for w in words]
    firsts = (bisect_left(starts, segment.start) for segment in segments)
    return frozenset(starts[i] for i in firsts if i < len(starts))


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


def _word_doubt(
    word: SpokenWord, resolved: set[str], lexicon: Lexicon, own_words: set[str], openers: frozenset[float]
) -> float:
    doubt = _doubt(word, resolved, lexicon, own_words)
    guess = word.probability < OPENER_GUESS_PROBABILITY
    if word.start in openers and not guess and not is_unknown(word_core(word.text), lexicon):
        return doubt * SEGMENT_OPENER_DOUBT
    return doubt


def _beside(doubts: list[float], i: int) -> float:
    """The doubt of the more doubtful neighbour of word i."""
    return max(doubts[i - 1] if i > 0 else 0.0, doubts[i + 1] if i + 1 < len(doubts) else 0.0)


def _glue_doubts(words: list[SpokenWord], doubts: list[float], resolved: set[str]) -> list[float]:
    """Function words heard unsurely beside an uncertain word are doubted too: they are what a
    misheard term was split into ("he was in a" for "hemosiderin as", "cut for" for "Kupffer")."""
    glued = list(doubts)
    for i, word in enumerate(words):
        core = word_core(word.text)
        glue = fold(core) in FUNCTION_WORDS and not set(normalize_tokens(core)) <= resolved
        if glue and _beside(doubts, i) >= UNCERTAIN_DOUBT:
            unsure = (FUNCTION_WORD_IN_RUN_PROBABILITY - word.probability) / FUNCTION_WORD_IN_RUN_PROBABILITY
            glued[i] = max(doubts[i], unsure)
    return glued


def judge_confidence(
    span: SentenceSpan,
    applied: list[tuple[str, str]],
    lexicon: Lexicon,
    vocabulary: tuple[str, ...] = (),
    openers: frozenset[float] = frozenset(),
) -> Judgement:
    """The sentence's confidence in [0, 1] and the doubtful words no correction resolved.

    `applied` lists the corrections made to the sentence (wrong, right): their words are resolved.
    `openers` holds the start times of the words that open a Whisper segment (`segment_openers`).
    """
    resolved = {t for wrong, _ in applied for t in normalize_tokens(wrong)}
    own_words = {t for entry in vocabulary for t in normalize_tokens(entry)} | {
        t for form in lexicon.forms for t in form if len(t) > 3
    }
    words = span.spoken
    doubts = [_word_doubt(word, resolved, lexicon, own_words, openers) for word in words]
    doubts = _glue_doubts(words, doubts, resolved)
    cost = sum(d * (RUN_WEIGHT if _beside(doubts, i) else 1.0) for i, d in enumerate(doubts))
    confidence = max(0.0, 1.0 - DOUBT_WEIGHT * cost / max(len(words), MIN_JUDGED_WORDS))
    uncertain = [word_core(w.text) for w, d in zip(words, doubts, strict=True) if d >= UNCERTAIN_DOUBT]
    return Judgement(round(confidence, 3), uncertain)
