"""The per-video stage graph: what each stage reads, writes and is configured by."""

from __future__ import annotations

from dataclasses import dataclass

from curation.align import align_pairs
from curation.align import fingerprint as pairs_fingerprint
from curation.asr.stage import transcribe_video
from curation.frames.stage import FRAMES_DIR, extract_keyframes
from curation.ingest import fetch
from curation.pipeline import Stage, connect, unusable_reason
from curation.records import (
    Artifact,
    CandidatePairs,
    FrameLabels,
    Keyframes,
    SlideTexts,
    TextAnalysis,
    Transcript,
    Video,
)
from curation.slides.stage import fingerprint as slides_fingerprint
from curation.slides.stage import read_slides
from curation.store import Store
from curation.text.stage import fingerprint as text_fingerprint
from curation.text.stage import refine_text
from curation.vision.stage import CROPS_DIR, label_frames
from curation.vision.stage import fingerprint as vision_fingerprint

STAGES: dict[str, Stage] = connect(
    Stage("fetch", (), Video, fetch.fetch_video, lambda c: (c.fetch,), owns=fetch.OWNED),
    Stage("asr", (Video,), Transcript, transcribe_video, lambda c: (c.asr,)),
    Stage("keyframes", (Video,), Keyframes, extract_keyframes, lambda c: (c.frames,), owns=(FRAMES_DIR,)),
    Stage("labels", (Keyframes,), FrameLabels, label_frames, lambda c: (c.vision,), vision_fingerprint,
          owns=(CROPS_DIR,)),
    Stage("slides", (Keyframes,), SlideTexts, read_slides, lambda c: (c.slides,), slides_fingerprint),
    Stage("text", (Transcript, SlideTexts, Video), TextAnalysis, refine_text, lambda c: (c.text,), text_fingerprint),
    Stage("pairs", (Keyframes, FrameLabels, SlideTexts, TextAnalysis, Transcript), CandidatePairs, align_pairs,
          lambda c: (c.align,), pairs_fingerprint),
)
STAGE_NAMES: tuple[str, ...] = tuple(STAGES)


@dataclass(frozen=True)
class Readiness:
    reason: str | None  # why the video's pairs may not ship (the first stage whose output is unusable)
    records: dict[type[Artifact], Artifact]  # every stage's validated record, when they may ship


def check_readiness(store: Store, video_id: str) -> Readiness:
    parsed: dict[type[Artifact], Artifact] = {}
    statuses = store.statuses(video_id)
    for stage in STAGES.values():
        if reason := unusable_reason(store, video_id, stage, statuses, parsed):
            return Readiness(f"{stage.name}: {reason}", {})
    return Readiness(None, parsed)
