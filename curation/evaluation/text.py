"""Score the text stage against demo-lecture ground truth: medical-term accuracy before and after
refining, errors fixed, wrong terms introduced, MED and ROI precision; and per sentence, the share
of its words the narrator actually said, whether it cuts a spoken sentence, and its confidence;
and of the ASR, the share of spoken sentences it recognised.

A ground-truth term counts as right when it is spelled right in the transcript sentences that
overlap (in time) the sentence that says it. A sentence "introduces a wrong term" when refining put
a curated term into it that the narrator did not say in the overlapping ground-truth sentences.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from curation.config import Settings, TextSettings
from curation.demo.truth import LectureTruth, SentenceTruth
from curation.evaluation.demo_context import demo_slides, demo_video
from curation.intervals import overlap_s, overlapping
from curation.lexicon.lexicon import glossary_hotwords, load_lexicon
from curation.lexicon.terms import find_terms, term_present
from curation.lexicon.tokens import normalize_tokens
from curation.records import TextAnalysis, Transcript, Word
from curation.slides.vocabulary import video_vocabulary
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.stage import analyse


class TextScore(BaseModel):
    video_id: str
    terms: int = 0
    right_raw: int = 0
    right_refined: int = 0
    fixed: int = 0  # wrong in the raw transcript, right after refining
    broken: int = 0  # right in the raw transcript, wrong after refining
    sentences: int = 0
    sentences_with_wrong_term: int = 0
    med_sentences: int = 0
    med_with_wrong_term: int = 0
    med_true_positive: int = 0
    med_truth: int = 0
    med_truth_found: int = 0  # ground-truth MED sentences overlapped by a sentence marked MED
    roi_predicted: int = 0
    roi_true_positive: int = 0
    roi_truth: int = 0
    roi_truth_found: int = 0
    corrections: int = 0
    seconds: float = 0.0


def score(truth: LectureTruth, analysis: TextAnalysis) -> TextScore:
    result = TextScore(video_id=truth.video_id, sentences=len(analysis.sentences))
    result.corrections = sum(c.applied for c in analysis.corrections)
    for said in truth.sentences:
        heard = overlapping(analysis.sentences, said.start, said.end)
        raw, refined = " ".join(s.raw for s in heard), " ".join(s.text for s in heard)
        for term in said.terms:
            right_raw, right_refined = term_present(term, raw), term_present(term, refined)
            result.terms += 1
            result.right_raw += right_raw
            result.right_refined += right_refined
            result.fixed += right_refined and not right_raw
            result.broken += right_raw and not right_refined
    for sentence in analysis.sentences:
        said = overlapping(truth.sentences, sentence.start, sentence.end)
        spoken = " ".join(t.text for t in said)
        added = set(find_terms(sentence.text)) - set(find_terms(sentence.raw))
        wrong = any(not term_present(term, spoken) for term in added)
        result.sentences_with_wrong_term += wrong
        best = max(
            said,
            key=lambda t: overlap_s(t.start, t.end, sentence.start, sentence.end),
            default=None,
        )
        if sentence.is_med:
            result.med_sentences += 1
            result.med_with_wrong_term += wrong
            result.med_true_positive += bool(best and best.is_med)
        if sentence.is_roi:
            result.roi_predicted += 1
            result.roi_true_positive += bool(best and best.is_roi)
    for said in truth.sentences:
        heard = overlapping(analysis.sentences, said.start, said.end)
        result.med_truth += said.is_med
        result.med_truth_found += said.is_med and any(s.is_med for s in heard)
        result.roi_truth += said.is_roi
        result.roi_truth_found += said.is_roi and any(s.is_roi for s in heard)
    return result


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def summary(scores: list[TextScore]) -> dict[str, float]:
    total = {
        f: sum(getattr(s, f) for s in scores) for f in TextScore.model_fields if f != "video_id"
    }
    wrong_raw = total["terms"] - total["right_raw"]
    return {
        "term_accuracy_raw": _ratio(total["right_raw"], total["terms"]),
        "term_accuracy_refined": _ratio(total["right_refined"], total["terms"]),
        "errors_fixed": _ratio(total["fixed"], wrong_raw),
        "terms_broken": total["broken"],
        "sentences_with_wrong_term": _ratio(total["sentences_with_wrong_term"], total["sentences"]),
        "med_captions_with_wrong_term": _ratio(
            total["med_with_wrong_term"], total["med_sentences"]
        ),
        "med_precision": _ratio(total["med_true_positive"], total["med_sentences"]),
        "med_recall": _ratio(total["med_truth_found"], total["med_truth"]),
        "roi_precision": _ratio(total["roi_true_positive"], total["roi_predicted"]),
        "roi_recall": _ratio(total["roi_truth_found"], total["roi_truth"]),
        "corrections": total["corrections"],
        "refine_seconds": total["seconds"],
    }


SAID_SLACK_S = 1.0  # word timings of a small ASR drift by up to about this much
MID_SENTENCE_S = 0.6  # a caption edge this far inside a spoken sentence cuts it
GARBLED_SHARE = 0.8  # a caption with more than a fifth of its words never said is garbled


def _said_key(token: str) -> str:
    """A token without its plural ending, so "mitosis" said as "mitoses" still counts as said."""
    for ending in ("es", "s", "i"):
        if token.endswith(ending) and len(token) > len(ending) + 3:
            return token[: -len(ending)]
    return token


def said_share(text: str, said: list[str]) -> float:
    """Share of the words of `text` found among the words of `said` (each said word used once)."""
    heard = [_said_key(t) for t in normalize_tokens(text)]
    left = Counter(_said_key(t) for s in said for t in normalize_tokens(s))
    found = 0
    for token in heard:
        if left[token] > 0:
            left[token] -= 1
            found += 1
    return found / len(heard) if heard else 1.0


class CaptionScore(BaseModel):
    """A sentence of the text stage against what the narrator said around it."""

    video_id: str
    start: float
    end: float
    text: str
    is_caption: bool  # marked MED or ROI, so it becomes a pair's caption
    said_share: float
    confidence: float
    starts_mid_sentence: bool
    ends_mid_sentence: bool

    @property
    def garbled(self) -> bool:
        return self.said_share < GARBLED_SHARE


def _inside(truth: LectureTruth, t: float) -> bool:
    return any(s.start + MID_SENTENCE_S < t < s.end - MID_SENTENCE_S for s in truth.sentences)


def caption_scores(truth: LectureTruth, analysis: TextAnalysis) -> list[CaptionScore]:
    scores = []
    for sentence in analysis.sentences:
        said = overlapping(truth.sentences, sentence.start - SAID_SLACK_S, sentence.end + SAID_SLACK_S)
        scores.append(
            CaptionScore(
                video_id=truth.video_id,
                start=sentence.start,
                end=sentence.end,
                text=sentence.text,
                is_caption=sentence.is_med or sentence.is_roi,
                said_share=said_share(sentence.text, [s.text for s in said]),
                confidence=sentence.confidence,
                starts_mid_sentence=_inside(truth, sentence.start),
                ends_mid_sentence=_inside(truth, sentence.end),
            )
        )
    return scores


def caption_summary(scores: list[CaptionScore]) -> dict[str, float]:
    captions = [s for s in scores if s.is_caption]
    garbled = [s for s in scores if s.garbled]
    clean = [s for s in scores if not s.garbled]
    return {
        "captions": len(captions),
        "caption_words_said": _ratio(sum(s.said_share for s in captions), len(captions)),
        "captions_garbled": _ratio(sum(s.garbled for s in captions), len(captions)),
        "captions_cut_mid_sentence": _ratio(
            sum(s.starts_mid_sentence or s.ends_mid_sentence for s in captions), len(captions)
        ),
        "garbled_sentences": len(garbled),
        "garbled_below_half_confidence": _ratio(sum(s.confidence < 0.5 for s in garbled), len(garbled)),
        "clean_at_or_above_half_confidence": _ratio(
            sum(s.confidence >= 0.5 for s in clean), len(clean)
        ),
    }


HEARD_SLACK_S = 0.5  # a heard word may lie this far outside its sentence's time
HEARD_SHARE = 0.5  # a sentence is recognised when this share of its words is heard within its time


def heard_in(said: SentenceTruth, words: list[Word]) -> list[Word]:
    """The heard words within the sentence's time that are words of the sentence (each used once)."""
    wanted = Counter(normalize_tokens(said.text))
    heard = []
    for word in words:
        if word.end <= said.start - HEARD_SLACK_S or word.start >= said.end + HEARD_SLACK_S:
            continue
        tokens = [t for t in normalize_tokens(word.text) if wanted[t] > 0]
        for token in tokens:
            wanted[token] -= 1
        if tokens:
            heard.append(word)
    return heard


def is_recognised(said: SentenceTruth, words: list[Word]) -> bool:
    heard_tokens = sum(len(normalize_tokens(w.text)) for w in heard_in(said, words))
    return heard_tokens >= HEARD_SHARE * len(normalize_tokens(said.text))


def sentences_recognised(truth: LectureTruth, words: list[Word]) -> float:
    """Share of the lecture's spoken sentences with half their words heard within their time."""
    return _ratio(sum(is_recognised(said, words) for said in truth.sentences), len(truth.sentences))


def transcribe_cached(media: Path, settings: Settings, cache_dir: Path) -> Transcript:
    """The ASR stage's transcript of a media file, computed once per media and ASR settings."""
    vocabulary = glossary_hotwords() if settings.asr.glossary_hotwords else ""
    key = hashlib.sha256(
        json.dumps(
            [
                media.name,
                hashlib.sha256(media.read_bytes()).hexdigest(),
                settings.asr.model_dump(mode="json"),
                vocabulary,
            ]
        ).encode()
    ).hexdigest()[:16]
    cached = cache_dir / f"{media.stem}.{key}.transcript.json"
    if cached.exists():
        return Transcript.model_validate_json(cached.read_text())
    from curation.asr import get_transcriber

    transcriber = get_transcriber(settings.asr)
    result = transcriber.transcribe(media, vocabulary)
    transcript = Transcript(
        video_id=media.stem,
        language=result.language,
        model_id=transcriber.model_id,
        duration_s=result.duration_s,
        segments=result.segments,
        words=result.words,
    )
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(transcript.model_dump_json())
    return transcript


def heard_unsurely(said: SentenceTruth, probability: float) -> Transcript:
    """The sentence as it was said, word for word over its time, as if Whisper had heard every
    word right but with `probability`: what the text stage changes in it, it changes in words that
    were said."""
    tokens = said.text.split()
    step = (said.end - said.start) / len(tokens)
    words = [
        Word(start=round(said.start + i * step, 3), end=round(said.start + (i + 1) * step, 3), text=token,
             probability=probability)
        for i, token in enumerate(tokens)
    ]
    return Transcript(video_id="said", language="en", model_id="said", duration_s=said.end, segments=[], words=words)


def said_but_changed(truths: list[LectureTruth], probability: float) -> list[tuple[str, str]]:
    """(said, written) for each sentence of the demo lectures that the offline text stage, with its
    video's vocabulary, changes when every word was heard right at `probability`."""
    settings = TextSettings()
    lexicon = load_lexicon()
    refiner = OfflineRefiner(settings, lexicon, default_matcher())
    changed = []
    for truth in truths:
        vocabulary = video_vocabulary(demo_video(truth.video_id, truth.title), demo_slides(truth.video_id), lexicon)
        for said in truth.sentences:
            analysis = analyse(heard_unsurely(said, probability), refiner, settings, vocabulary)
            written = " ".join(s.text for s in analysis.sentences)
            if written.split() != said.text.split():
                changed.append((said.text, written))
    return changed
