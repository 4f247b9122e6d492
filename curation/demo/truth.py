"""Ground truth of a demo lecture: what is on screen when and what is written on it, what is said
when and how it sounds, and what the lecture's page says."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

SlideKind = Literal["title", "histology", "histology_with_text", "photo", "diagram", "text", "scan"]


class SlideTruth(BaseModel):
    index: int
    start: float
    end: float
    kind: SlideKind
    histology: bool
    has_cursor: bool
    transition_in: Literal["cut", "crossfade"]
    histology_box: tuple[int, int, int, int] | None
    picture: str = Field(description="slides showing the same picture (a slide shown again) share this key")
    written: list[str] = Field(description="every line of text drawn on the slide, in reading order")
    label: str = Field("", description="the label on the microscope picture, as drawn")
    label_box: tuple[int, int, int, int] | None = Field(None, description="where the label's tag is drawn")
    stains: list[str] = Field([], description="stains the label names, by the lexicon's canonical name")
    magnification: str = Field("", description='the magnification the label gives, as "x40"')


class SentenceTruth(BaseModel):
    index: int
    start: float
    end: float
    text: str
    slide: int
    terms: list[str]
    is_roi: bool
    is_med: bool


class ChapterTruth(BaseModel):
    title: str
    start: float
    end: float


class PageTruth(BaseModel):
    path: str = Field(description="the page's file, served beside the MP4")
    title: str
    description: str
    tags: list[str]
    chapters: list[ChapterTruth]


class AudioTruth(BaseModel):
    conditions: list[str] = Field(description="music, hum_noise, fast_speech, low_bitrate, no_speech; none for clean narration")
    words_per_minute: int = Field(description="the narrator's speaking rate (espeak-ng's setting)")
    bitrate_kbps: int = Field(description="the AAC bitrate of the audio track")
    levels_db: dict[str, float] = Field(description="each sound mixed under the voice, dB against its RMS")
    voice: str = Field("en-us", description="the narrator's espeak-ng voice")


class LectureTruth(BaseModel):
    generator_version: str
    corpus: str
    video_id: str
    title: str
    page: PageTruth
    audio: AudioTruth
    duration_s: float
    width: int
    height: int
    fps: int
    slides: list[SlideTruth]
    sentences: list[SentenceTruth]

    def slide_at(self, time_s: float) -> SlideTruth:
        """The slide on screen at `time_s` (the later one at a boundary)."""
        for slide in self.slides:
            if slide.start <= time_s < slide.end:
                return slide
        if time_s == self.duration_s and self.slides:
            return self.slides[-1]
        raise ValueError(f"{self.video_id}: time {time_s} is outside the lecture (0-{self.duration_s} s)")


def truth_path(folder: Path, video_id: str) -> Path:
    return Path(folder) / f"{video_id}.truth.json"


def load_truth(path: str | Path) -> LectureTruth:
    path = Path(path)
    if not path.exists():
        raise ValueError(f"no demo truth file at {path}")
    return LectureTruth.model_validate_json(path.read_text(encoding="utf-8"))
