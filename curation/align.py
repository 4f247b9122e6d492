"""Align stage: pair each kept frame with the sentences spoken while it was on screen.

A frame's window is its stable interval, widened by `lead_s`/`lag_s`, joined with the intervals
of the near-duplicate frames it stands for (a slide shown twice collects both narrations).
A sentence belongs to the window when at least `min_overlap` of its duration falls inside.
Pairs are matched by time, never by position, so one extra or missing frame cannot shift others.

A frame whose slide carries words about its picture (title, labels) is also paired with them,
as text type `slide`. Every frame and every text type is paired here; which frame scores and text types a dataset
keeps is the version's choice (curation.export.checks), so a new version with other thresholds
needs no stage to run again, and the pairs it leaves out are counted with their reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.config import AlignSettings, Settings
from curation.intervals import overlap_s
from curation.lexicon.lexicon import load_lexicon
from curation.pipeline import StageContext
from curation.records import (
    CandidatePairs,
    FrameLabel,
    FrameLabels,
    Keyframe,
    Keyframes,
    Pair,
    Sentence,
    SlideText,
    SlideTexts,
    TextAnalysis,
    TextType,
    Transcript,
)
from curation.slides.vocabulary import slide_caption
from curation.text.selection import medical_terms

Window = tuple[float, float]


def frame_windows(keyframes: list[Keyframe], settings: AlignSettings) -> dict[int, list[Window]]:
    windows: dict[int, list[Window]] = {}
    for kf in keyframes:
        owner = kf.index if kf.duplicate_of is None else kf.duplicate_of
        windows.setdefault(owner, []).append((kf.stable_start - settings.lead_s, kf.stable_end + settings.lag_s))
    return windows


def overlap_share(sentence: Sentence, windows: list[Window]) -> float:
    duration = max(sentence.end - sentence.start, 1e-3)
    inside = sum(overlap_s(sentence.start, sentence.end, a, b) for a, b in windows)
    return min(inside / duration, 1.0)


def text_type_of(sentence: Sentence) -> TextType:
    return "med" if sentence.is_med else "roi" if sentence.is_roi else "raw"


@dataclass(frozen=True)
class ShownFrame:
    """A kept frame with what is known of it: its label and the words written on it."""

    video_id: str
    keyframe: Keyframe
    label: FrameLabel
    slide: SlideText | None
    provenance: dict[str, str]

    def pair(self, caption: str, raw: str, text_type: TextType, start: float, end: float,
             med_terms: list[str], is_roi: bool = False, confidence: float = 1.0,
             uncertain: list[str] = ()) -> Pair:
        kf, label = self.keyframe, self.label
        return Pair(
            pair_id=Pair.make_id(self.video_id, kf.frame_time, caption),
            video_id=self.video_id,
            image_path=f"videos/{self.video_id}/{label.crop_path or kf.image_path}",
            caption=caption,
            raw_caption=raw,
            text_type=text_type,
            is_roi=is_roi,
            text_start=start,
            text_end=end,
            frame_time=kf.frame_time,
            frame_start=kf.stable_start,
            frame_end=kf.stable_end,
            keyframe_index=kf.index,
            histology_score=label.histology_score,
            stain=label.stain,
            stains_on_slide=self.slide.stains if self.slide else [],
            magnification=self.slide.magnification if self.slide else None,
            sharpness=kf.sharpness,
            med_terms=med_terms,
            text_confidence=confidence,
            uncertain=list(uncertain),
            crop_box=label.crop_box,
            provenance=self.provenance,
        )


def pairs_for_frame(frame: ShownFrame, windows: list[Window], sentences: list[Sentence],
                    settings: AlignSettings) -> list[Pair]:
    """The frame with each sentence spoken over it, and with its own slide text if it has any."""
    pairs = [
        frame.pair(s.text, s.raw, text_type_of(s), s.start, s.end, s.med_terms, s.is_roi, s.confidence, s.uncertain)
        for s in sentences
        if overlap_share(s, windows) >= settings.min_overlap
    ]
    written = slide_caption(frame.slide) if frame.slide else ""
    if written:
        kf = frame.keyframe
        pairs.append(frame.pair(written, written, "slide", kf.stable_start, kf.stable_end,
                                medical_terms(written, load_lexicon())))
    return pairs


def provenance_of(transcript: Transcript, keyframes: Keyframes, labels: FrameLabels, text: TextAnalysis,
                  upstream: dict[str, str]) -> dict[str, str]:
    return {
        "asr_model": transcript.model_id,
        "frame_extractor": keyframes.extractor_id,
        "classifier": labels.classifier_id,
        "refiner": text.refiner_id,
        **{f"prompt:{name}": version for name, version in text.prompt_versions.items()},
        **{f"config:{stage}": digest for stage, digest in upstream.items()},
    }


def align_pairs(
    keyframes: Keyframes, labels: FrameLabels, slides: SlideTexts, text: TextAnalysis, transcript: Transcript,
    ctx: StageContext,
) -> CandidatePairs:
    vid = keyframes.video_id
    provenance = provenance_of(transcript, keyframes, labels, text, ctx.upstream)
    by_index = {kf.index: kf for kf in keyframes.keyframes}
    written = {slide.index: slide for slide in slides.frames}
    windows = frame_windows(keyframes.keyframes, ctx.settings.align)
    pairs = [
        pair
        for label in labels.labels  # the labels stage labels kept frames only, never duplicates
        for pair in pairs_for_frame(
            ShownFrame(vid, by_index[label.index], label, written.get(label.index), provenance),
            windows[label.index], text.sentences, ctx.settings.align,
        )
    ]
    ctx.report(candidate_pairs=len(pairs))
    return CandidatePairs(pairs=pairs)


# the version of what a pair carries: raise it when Pair gains a field the stage fills in
PAIRS_VERSION = "2"


def fingerprint(settings: Settings) -> str:
    """Re-runs this stage on stored videos when the pairs it writes change shape."""
    return f"pairs:{PAIRS_VERSION}"
