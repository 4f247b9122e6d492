"""Typed records passed between stages.

Every stage writes one `Artifact`; the artifact class names its file in the video folder
(`stored_as`), so file names live here and nowhere else. `files()` lists the side files an
artifact refers to (media, images), which must exist for it to count as current.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import ClassVar, Literal, Self

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class VideoRef:
    """One row of an input manifest: which video, and where to fetch it."""

    video_id: str
    url: str
    title: str = ""  # from the manifest, for sites that give none
    description: str = ""


class Record(BaseModel):
    model_config = {"extra": "forbid"}


class Artifact(Record):
    """A record that one stage writes into the video folder."""

    stored_as: ClassVar[str]

    def to_bytes(self) -> bytes:
        return self.model_dump_json(indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        return cls.model_validate_json(data)

    def files(self) -> list[str]:
        """Side files this artifact refers to, relative to the video folder."""
        return []


class Video(Artifact):
    stored_as: ClassVar[str] = "info.json"

    video_id: str
    url: str
    title: str = ""
    description: str = ""
    tags: list[str] = []
    chapters: list[str] = Field([], description="chapter titles, in order")
    channel: str = ""
    upload_date: str = ""
    duration_s: float = 0.0
    license: str = ""
    fetched_at: str = ""
    sha256: str = ""
    file_name: str = Field("", description="media file inside the video folder")
    width: int = 0
    height: int = 0

    def files(self) -> list[str]:
        return [self.file_name] if self.file_name else []


class Word(Record):
    start: float
    end: float
    text: str
    probability: float = 1.0


class Segment(Record):
    start: float
    end: float
    text: str


class Transcript(Artifact):
    stored_as: ClassVar[str] = "transcript.json"

    video_id: str
    language: str
    model_id: str
    duration_s: float
    segments: list[Segment]
    words: list[Word]


class Keyframe(Record):
    video_id: str
    index: int
    frame_time: float = Field(description="centre of the stable interval, seconds")
    scene_start: float
    scene_end: float
    stable_start: float
    stable_end: float
    image_path: str = Field(description="relative to the video folder, e.g. frames/0003.jpg")
    phash: str
    sharpness: float
    width: int
    height: int
    samples: int = Field(description="frames combined into the median image")
    duplicate_of: int | None = Field(None, description="index of the kept copy, if dropped as a near-duplicate")
    duplicate_distance: int | None = Field(
        None, description="perceptual-hash distance (bits) to the kept copy: why it was dropped"
    )


class Keyframes(Artifact):
    stored_as: ClassVar[str] = "keyframes.json"

    video_id: str
    extractor_id: str
    keyframes: list[Keyframe]

    def files(self) -> list[str]:
        return [k.image_path for k in self.keyframes]


FrameType = Literal[
    "histology", "fluorescence", "cytology", "slide_text", "person", "diagram", "desktop", "blank", "other"
]
StainGuess = Literal["he", "ihc", "other", "none"]


class FrameLabel(Record):
    index: int = Field(description="keyframe index")
    label: FrameType
    histology_score: float
    scores: dict[str, float] = {}
    classifier_id: str
    stain: StainGuess = "none"
    crop_box: tuple[int, int, int, int] | None = Field(
        None, description="x0, y0, x1, y1 of the histology region when the frame was cropped"
    )
    crop_path: str | None = None


class FrameLabels(Artifact):
    stored_as: ClassVar[str] = "labels.json"

    video_id: str
    classifier_id: str
    labels: list[FrameLabel]

    def files(self) -> list[str]:
        return [label.crop_path for label in self.labels if label.crop_path]


class TextLine(Record):
    text: str
    box: tuple[int, int, int, int] = Field(description="x0, y0, x1, y1 in the keyframe image")
    confidence: float = Field(ge=0, le=1)


class SlideText(Record):
    """The words written on one kept keyframe (title, labels on the picture, bullets)."""

    index: int = Field(description="keyframe index")
    lines: list[TextLine]
    stains: list[str] = Field([], description="stain names read off the frame, e.g. Masson trichrome")
    magnification: str | None = Field(None, description="objective read off the frame, e.g. x40")


class SlideTexts(Artifact):
    stored_as: ClassVar[str] = "slides.json"

    video_id: str
    engine_id: str
    frames: list[SlideText]


class Correction(Record):
    wrong: str
    right: str
    source: Literal["lexicon", "agreement", "llm-conditioned", "llm-unconditioned"]
    applied: bool = True
    reason: str = ""


class Sentence(Record):
    index: int
    start: float
    end: float
    raw: str
    text: str = Field(description="corrected text")
    is_med: bool = False
    is_roi: bool = False
    med_terms: list[str] = []
    confidence: float = Field(1.0, ge=0, le=1, description="how sure we are the text is what was said")
    uncertain: list[str] = Field([], description="words heard with low confidence that no fix resolved")


class RejectedOutput(Record):
    kind: Literal["correction", "med", "roi"]
    value: str
    reason: str


class TextAnalysis(Artifact):
    stored_as: ClassVar[str] = "text.json"

    video_id: str
    refiner_id: str
    prompt_versions: dict[str, str] = {}
    sentences: list[Sentence]
    corrections: list[Correction] = []
    rejected: list[RejectedOutput] = []
    tokens_used: int = 0
    vocabulary: list[str] = Field([], description="the video's own terms, from its page and slides")


TextType = Literal["med", "roi", "raw", "slide"]


class Pair(Record):
    pair_id: str
    video_id: str
    image_path: str = Field(description="relative to the data root")
    caption: str
    raw_caption: str
    text_type: TextType
    is_roi: bool = False
    text_start: float
    text_end: float
    frame_time: float
    frame_start: float
    frame_end: float
    keyframe_index: int
    histology_score: float
    stain: StainGuess = "none"
    stains_on_slide: list[str] = Field([], description="stain names written on the slide")
    magnification: str | None = Field(None, description="objective written on the slide, e.g. x40")
    sharpness: float = 0.0
    med_terms: list[str] = []
    text_confidence: float = Field(1.0, ge=0, le=1, description="the caption's Sentence.confidence")
    uncertain: list[str] = Field([], description="the caption's Sentence.uncertain: words no fix resolved")
    crop_box: tuple[int, int, int, int] | None = None
    provenance: dict[str, str] = {}

    @staticmethod
    def make_id(video_id: str, frame_time: float, caption: str) -> str:
        key = f"{video_id}|{frame_time:.3f}|{caption}"
        return hashlib.sha256(key.encode()).hexdigest()[:20]


class CandidatePairs(Artifact):
    """Every kept frame with every sentence spoken over it; stored one pair per line."""

    stored_as: ClassVar[str] = "pairs.jsonl"

    pairs: list[Pair]

    def to_bytes(self) -> bytes:
        return "".join(p.model_dump_json() + "\n" for p in self.pairs).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        lines = data.decode().splitlines()
        return cls(pairs=[Pair.model_validate_json(line) for line in lines if line.strip()])


class StageStatus(Record):
    state: Literal["done", "failed"]
    config_hash: str = ""
    inputs: dict[str, str] = Field({}, description="config hash of each input stage's output it was made from")
    duration_s: float = 0.0
    reason: str = ""
    finished_at: str = ""
    metrics: dict[str, float] = {}
