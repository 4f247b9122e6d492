"""How sure the text stage is that a sentence says what the narrator said.

Whisper's word probabilities are read together with the lexicon: a word heard with low probability
is doubtful unless it is a word of the lexicon or of the video's vocabulary (a term the narrator
plausibly said) or a correction replaced it; a word no dictionary knows is doubtful whatever its
probability, unless corrected. Doubtful words in a run count more than scattered ones, since a
misheard term ("needle-nelson", "azilias") comes as a run of them. Calibrated on the demo lectures'
frozen transcripts (`bench/caption_quality.py` prints how well it separates): a sentence with more
than a fifth of its words never said scores below 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.lexicon.lexicon import Lexicon, is_unknown
from curation.lexicon.tokens import FUNCTION_WORDS, fold, normalize_tokens, word_core
from curation.text.sentences import SentenceSpan

LOW_PROBABILITY = 0.85  # under this a word is doubtful unless the lexicon vouches for it
# Each doubtful word costs this share of the sentence's confidence, per word of the sentence,
# and a doubtful word next to another costs RUN_WEIGHT times more.
DOUBT_WEIGHT = 5.0
RUN_WEIGHT = 1.5


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
    doubtful = []
    for word in words:
        core = word_core(word.text)
        tokens = normalize_tokens(core)
        if not tokens or set(tokens) <= resolved or fold(core) in FUNCTION_WORDS:
            doubtful.append(False)
        elif is_unknown(core, lexicon):
            doubtful.append(True)
        else:
            doubtful.append(word.probability < LOW_PROBABILITY and not _vouched(core, lexicon, own_words))
    cost = sum(
        RUN_WEIGHT if (i > 0 and doubtful[i - 1]) or (i + 1 < len(words) and doubtful[i + 1]) else 1.0
        for i, d in enumerate(doubtful)
        if d
    )
    confidence = max(0.0, 1.0 - DOUBT_WEIGHT * cost / max(len(words), 1))
    uncertain = [word_core(w.text) for w, d in zip(words, doubtful, strict=True) if d]
    return Judgement(round(confidence, 3), uncertain)
