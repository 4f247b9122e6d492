"""Ground truth of a demo lecture: what is on screen when, and what is said when."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

SlideKind = Literal["title", "histology", "histology_with_text", "photo", "diagram", "text"]


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


class SentenceTruth(BaseModel):
    index: int
    start: float
    end: float
    text: str
    slide: int
    terms: list[str]
    is_roi: bool
    is_med: bool


class LectureTruth(BaseModel):
    generator_version: str
    video_id: str
    title: str
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
