"""What the store knows about one video: stage states, frames, labels, sentences, aligned pairs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from curation.records import FrameLabels, Keyframes, StageStatus, TextAnalysis, Video
from curation.store import Store


@dataclass
class VideoFacts:
    video_id: str
    title: str = ""
    channel: str = ""
    duration_s: float = 0.0
    statuses: dict[str, StageStatus] = field(default_factory=dict)
    keyframes: int = 0  # kept after near-duplicate removal
    duplicate_keyframes: int = 0
    frame_labels: list[tuple[str, float]] = field(default_factory=list)  # (type, histology score)
    histology_frames: int = 0
    sentences: int = 0
    med_sentences: int = 0
    roi_sentences: int = 0
    aligned_pairs: int = 0  # candidates: every kept frame with every sentence spoken over it
    aligned_frames: int = 0  # histology frames with at least one candidate pair
    # Whisper's mean word probability, as the ASR stage recorded it: low on noisy or garbled audio
    mean_word_probability: float | None = None

    def done(self, stage: str) -> bool:
        status = self.statuses.get(stage)
        return status is not None and status.state == "done"

    def why_not_done(self, stage: str) -> str:
        status = self.statuses.get(stage)
        if status is None:
            return f"{stage}: not run"
        return f"{stage} {status.state}: {status.reason or 'no reason recorded'}"


def _read(store: Store, video_id: str, name: str, cls):
    path = store.video_path(video_id, name)
    if not store.exists(path):
        return None
    try:
        return store.read_model(path, cls)
    except ValueError as exc:  # pydantic's error names the record, not the file
        raise ValueError(f"{path} is not a valid {cls.__name__}: {exc}") from exc


def _aligned_pairs(store: Store, video_id: str) -> list[dict]:
    path = store.video_path(video_id, "pairs.jsonl")
    if not store.exists(path):
        return []
    return [json.loads(line) for line in store.read_bytes(path).splitlines() if line.strip()]


def collect_video_facts(store: Store, video_id: str, histology_threshold: float) -> VideoFacts:
    facts = VideoFacts(video_id, statuses=store.statuses(video_id))
    if asr := facts.statuses.get("asr"):
        facts.mean_word_probability = asr.metrics.get("mean_probability")
    if info := _read(store, video_id, "info.json", Video):
        facts.title, facts.channel, facts.duration_s = info.title, info.channel, info.duration_s
    kept: set[int] = set()
    if keyframes := _read(store, video_id, "keyframes.json", Keyframes):
        kept = {kf.index for kf in keyframes.keyframes if kf.duplicate_of is None}
        facts.keyframes = len(kept)
        facts.duplicate_keyframes = len(keyframes.keyframes) - len(kept)
    if labels := _read(store, video_id, "labels.json", FrameLabels):
        facts.frame_labels = [
            (lb.label, lb.histology_score) for lb in labels.labels if lb.index in kept
        ]
        facts.histology_frames = sum(
            score >= histology_threshold for _, score in facts.frame_labels
        )
    if text := _read(store, video_id, "text.json", TextAnalysis):
        facts.sentences = len(text.sentences)
        facts.med_sentences = sum(s.is_med for s in text.sentences)
        facts.roi_sentences = sum(s.is_roi for s in text.sentences)
    aligned = _aligned_pairs(store, video_id)
    facts.aligned_pairs = len(aligned)
    facts.aligned_frames = len(
        {row["keyframe_index"] for row in aligned if row["histology_score"] >= histology_threshold}
    )
    return facts
