"""Align stage: pair each kept frame with the sentences spoken while it was on screen.

A frame's window is its stable interval, widened by `lead_s`/`lag_s`, joined with the intervals
of the near-duplicate frames it stands for (a slide shown twice collects both narrations).
A sentence belongs to the window when at least `min_overlap` of its duration falls inside.
Pairs are matched by time, never by position, so one extra or missing frame cannot shift others.

Every frame and every sentence type is paired here; which frame scores and text types a dataset
keeps is the version's choice (curation.export.selection), so a new version with other thresholds
needs no stage to run again, and the pairs it leaves out are counted with their reason.
"""

from __future__ import annotations

from curation.config import AlignSettings
from curation.intervals import overlap_s
from curation.pipeline import StageContext
from curation.records import (
    CandidatePairs,
    FrameLabel,
    FrameLabels,
    Keyframe,
    Keyframes,
    Pair,
    Sentence,
    TextAnalysis,
    TextType,
    Transcript,
)

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


def pairs_for_frame(
    video_id: str, keyframe: Keyframe, label: FrameLabel, windows: list[Window],
    sentences: list[Sentence], settings: AlignSettings, provenance: dict[str, str],
) -> list[Pair]:
    image = label.crop_path or keyframe.image_path
    pairs = []
    for sentence in sentences:
        if overlap_share(sentence, windows) < settings.min_overlap:
            continue
        pairs.append(
            Pair(
                pair_id=Pair.make_id(video_id, keyframe.frame_time, sentence.text),
                video_id=video_id,
                image_path=f"videos/{video_id}/{image}",
                caption=sentence.text,
                raw_caption=sentence.raw,
                text_type=text_type_of(sentence),
                is_roi=sentence.is_roi,
                text_start=sentence.start,
                text_end=sentence.end,
                frame_time=keyframe.frame_time,
                frame_start=keyframe.stable_start,
                frame_end=keyframe.stable_end,
                keyframe_index=keyframe.index,
                histology_score=label.histology_score,
                stain=label.stain,
                sharpness=keyframe.sharpness,
                med_terms=sentence.med_terms,
                crop_box=label.crop_box,
                provenance=provenance,
            )
        )
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
    keyframes: Keyframes, labels: FrameLabels, text: TextAnalysis, transcript: Transcript, ctx: StageContext
) -> CandidatePairs:
    vid = keyframes.video_id
    provenance = provenance_of(transcript, keyframes, labels, text, ctx.upstream)
    by_index = {kf.index: kf for kf in keyframes.keyframes}
    windows = frame_windows(keyframes.keyframes, ctx.settings.align)
    pairs = [
        pair
        for label in labels.labels  # the labels stage labels kept frames only, never duplicates
        for pair in pairs_for_frame(
            vid, by_index[label.index], label, windows[label.index], text.sentences, ctx.settings.align, provenance
        )
    ]
    ctx.report(candidate_pairs=len(pairs))
    return CandidatePairs(pairs=pairs)
