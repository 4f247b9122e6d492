"""`audit.json`: the typed record of a version's audit. Sections whose shape depends on what could
be measured (similarity without a checkpoint, review without labels) stay plain JSON objects."""

from __future__ import annotations

from pydantic import BaseModel


class Totals(BaseModel):
    videos: int
    hours: float
    pairs: int
    images: int
    pairs_per_hour: float | None
    images_per_hour: float | None
    by_split: dict[str, int]


class FunnelSteps(BaseModel):
    videos: list[dict]
    frames: list[dict]
    pairs: list[dict]


class VideoRow(BaseModel):
    video_id: str
    title: str
    channel: str
    duration_s: float
    stages: dict[str, str]
    problem: str
    keyframes: int
    duplicate_keyframes: int
    histology_frames: int
    mean_word_probability: float | None = None  # Whisper's, over the transcript; None without one
    sentences: int
    med_sentences: int
    roi_sentences: int
    aligned_pairs: int
    pairs: int
    images: int
    split: str
    mean_histology_score: float | None
    median_caption_words: float | None
    mean_similarity: float | None
    reviewed: int
    precision: float | None


class Audit(BaseModel):
    dataset: str
    version: str
    audited_at: str
    histology_threshold: float
    min_text_confidence: float | None = None  # of the build; None for versions that did not record it
    totals: Totals
    funnel: FunnelSteps
    captions: dict
    duplicates: dict
    scores: dict
    similarity: dict
    videos: list[VideoRow]
    review: dict
