"""Score a finished curation run against the demo lectures' ground truth.

Frames are scored as the classifier labelled them; pairs as a dataset version ships them, since
those are what a trainer gets: with `caption_unit = frame` a frame's sentences come joined in one
pair whose id no stored pair has, so the version's own pairs are read, never looked up by id.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from curation.demo.truth import LectureTruth
from curation.evaluation.text import GARBLED_SHARE, said_share
from curation.export.versions import VersionReader
from curation.intervals import overlap_s, overlapping
from curation.lexicon.terms import find_terms, term_present
from curation.records import FrameLabels, Keyframes, Pair
from curation.store import Store


class LectureScore(BaseModel):
    video_id: str
    slides: int
    slide_recall: float
    keyframes_per_slide: float
    histology_tp: int
    histology_fp: int
    histology_fn: int
    histology_slides: int
    histology_slides_with_pairs: int
    other_slides_with_pairs: int
    pairs: int
    aligned_pairs: int
    terms: int
    terms_in_captions: int
    terms_in_raw_captions: int
    captions_with_wrong_terms: int
    spoken_captions: int = 0
    kept_caption_terms: int = 0
    kept_caption_terms_right: int = 0
    said_share_sum: float = 0.0
    garbled_captions: int = 0


class QualityScore(BaseModel):
    lectures: list[LectureScore]

    def _sum(self, field: str) -> int:
        return sum(getattr(s, field) for s in self.lectures)

    def _ratio(self, num: str, den: str | list[str]) -> float:
        denominator = sum(self._sum(d) for d in ([den] if isinstance(den, str) else den))
        return self._sum(num) / denominator if denominator else 0.0

    def figures(self) -> dict[str, float]:
        n = len(self.lectures) or 1
        return {
            "slide_recall": sum(s.slide_recall for s in self.lectures) / n,
            "keyframes_per_slide": sum(s.keyframes_per_slide for s in self.lectures) / n,
            "histology_precision": self._ratio("histology_tp", ["histology_tp", "histology_fp"]),
            "histology_recall": self._ratio("histology_tp", ["histology_tp", "histology_fn"]),
            "histology_slides_with_pairs": self._ratio("histology_slides_with_pairs", "histology_slides"),
            "other_slides_with_pairs": float(self._sum("other_slides_with_pairs")),
            "alignment_precision": self._ratio("aligned_pairs", "pairs"),
            "term_accuracy_captions": self._ratio("terms_in_captions", "terms"),
            "term_accuracy_raw_captions": self._ratio("terms_in_raw_captions", "terms"),
            "captions_with_wrong_terms": self._ratio("captions_with_wrong_terms", "pairs"),
            "term_accuracy_kept_captions": self._ratio("kept_caption_terms_right", "kept_caption_terms"),
            "caption_words_said": self._ratio("said_share_sum", "spoken_captions"),
            "garbled_captions": self._ratio("garbled_captions", "spoken_captions"),
            "pairs": float(self._sum("pairs")),
        }


def slide_at(truth: LectureTruth, t: float):
    return next((s for s in truth.slides if s.start <= t < s.end), None)


def picture_of(slide) -> str:
    """Slides showing the same picture (a slide the lecturer returns to) share one key."""
    return slide.picture


def best_sentence(truth: LectureTruth, start: float, end: float):
    return max(truth.sentences, key=lambda s: overlap_s(s.start, s.end, start, end))


def _mostly_within(sentence, pair: Pair) -> bool:
    """A spoken sentence the caption covers at least half of, so its terms should be in it."""
    length = sentence.end - sentence.start
    return length > 0 and overlap_s(sentence.start, sentence.end, pair.text_start, pair.text_end) >= length / 2


def score_lecture(store: Store, truth: LectureTruth, threshold: float, pairs: list[Pair]) -> LectureScore:
    """`pairs`: the lecture's pairs in the version scored."""
    vid = truth.video_id
    keyframes = store.load(vid, Keyframes).keyframes
    labels = {lb.index: lb for lb in store.load(vid, FrameLabels).labels}
    slides_by_index = {s.index: s for s in truth.slides}

    shown = {slide_at(truth, kf.frame_time).index for kf in keyframes if slide_at(truth, kf.frame_time)}
    tp = fp = fn = 0
    for kf in keyframes:
        slide = slide_at(truth, kf.frame_time)
        if kf.duplicate_of is not None or slide is None or kf.index not in labels:
            continue
        predicted = labels[kf.index].histology_score >= threshold
        tp += predicted and slide.histology
        fp += predicted and not slide.histology
        fn += (not predicted) and slide.histology

    paired_pictures = {picture_of(slide_at(truth, p.frame_time)) for p in pairs if slide_at(truth, p.frame_time)}
    histology_pictures = {picture_of(s) for s in truth.slides if s.histology}
    other_pictures = {picture_of(s) for s in truth.slides if not s.histology}

    aligned = wrong_terms = spoken_captions = kept_terms = kept_terms_right = garbled = 0
    said_sum = 0.0
    captions: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        frame_slide = slide_at(truth, pair.frame_time)
        sentence = best_sentence(truth, pair.text_start, pair.text_end)
        if frame_slide is not None:
            captions[picture_of(frame_slide)].append(pair)
            aligned += picture_of(slides_by_index[sentence.slide]) == picture_of(frame_slide)
        said = overlapping(truth.sentences, pair.text_start, pair.text_end)
        spoken = " ".join(s.text for s in said)
        invented = set(find_terms(pair.caption)) - set(find_terms(pair.raw_caption))
        wrong_terms += any(not term_present(term, spoken) for term in invented)
        if pair.text_type == "slide":
            continue
        spoken_captions += 1
        share = said_share(pair.caption, [s.text for s in said])
        said_sum += share
        garbled += share < GARBLED_SHARE
        covered = [term for s in said if _mostly_within(s, pair) for term in s.terms]
        kept_terms += len(covered)
        kept_terms_right += sum(term_present(term, pair.caption) for term in covered)

    terms = in_captions = in_raw = 0
    for sentence in truth.sentences:
        picture = picture_of(slides_by_index[sentence.slide])
        if picture not in histology_pictures:
            continue
        text = " ".join(p.caption for p in captions[picture])
        raw = " ".join(p.raw_caption for p in captions[picture])
        for term in sentence.terms:
            terms += 1
            in_captions += term_present(term, text)
            in_raw += term_present(term, raw)

    return LectureScore(
        video_id=vid,
        slides=len(truth.slides),
        slide_recall=len(shown) / len(truth.slides),
        keyframes_per_slide=len(keyframes) / len(truth.slides),
        histology_tp=tp, histology_fp=fp, histology_fn=fn,
        histology_slides=len(histology_pictures),
        histology_slides_with_pairs=len(histology_pictures & paired_pictures),
        other_slides_with_pairs=len(other_pictures & paired_pictures),
        pairs=len(pairs), aligned_pairs=aligned,
        terms=terms, terms_in_captions=in_captions, terms_in_raw_captions=in_raw,
        captions_with_wrong_terms=wrong_terms,
        spoken_captions=spoken_captions, kept_caption_terms=kept_terms,
        kept_caption_terms_right=kept_terms_right, said_share_sum=said_sum, garbled_captions=garbled,
    )


def score_run(
    store: Store, truths: list[LectureTruth], dataset_path: str, threshold: float = 0.5
) -> QualityScore:
    shipped: dict[str, list[Pair]] = defaultdict(list)
    for pair in VersionReader.at(store, dataset_path).pairs():
        shipped[pair.video_id].append(pair)
    return QualityScore(lectures=[score_lecture(store, t, threshold, shipped[t.video_id]) for t in truths])
