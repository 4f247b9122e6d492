"""The narration scripts of the demo lectures (lectures.json) and what each slide shows.

A slide says a list of sentences written in a light markup:
- a medical term is in square brackets, spelled as in the curated term list:
  "nests of [basaloid cells]" speaks "nests of basaloid cells" with the term "basaloid cells";
  where the spoken words are spelled otherwise (a capital starting a sentence), the term follows
  a bar: "[Mitoses|mitoses] are common";
- a sentence where the narrator points at a region starts with "> ".
A `repeat` slide shows an earlier slide of the same lecture again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from curation.demo.slides import Theme
from curation.demo.tissue import View

TERM = re.compile(r"\[([^\[\]|]+)(?:\|([^\[\]|]+))?\]")
ROI_MARK = "> "


@dataclass(frozen=True)
class Line:
    text: str
    terms: tuple[str, ...]
    is_roi: bool


def parse_line(markup: str) -> Line:
    is_roi = markup.startswith(ROI_MARK)
    body = markup.removeprefix(ROI_MARK).strip()
    outside_terms = TERM.sub("", body)
    if "[" in outside_terms or "]" in outside_terms:
        raise ValueError(f"malformed term brackets in sentence {markup!r}")
    terms = tuple(term or spoken for spoken, term in TERM.findall(body))
    return Line(text=TERM.sub(r"\1", body), terms=terms, is_roi=is_roi)


class Spec(BaseModel):
    model_config = {"extra": "forbid"}


class ViewSpec(Spec):
    stain: str = "he"
    center: tuple[float, float] = (0.5, 0.5)
    zoom: float = Field(1.0, ge=1.0, le=2.5)  # beyond 2.5 the 512-pixel section looks out of focus
    quarter_turns: int = 0
    mirror: bool = False

    def view(self) -> View:
        return View(**self.model_dump())


class SlideSpec(Spec):
    say: list[str] = Field(min_length=1)
    transition_in: Literal["cut", "crossfade"] = "cut"

    def lines(self) -> list[Line]:
        return [parse_line(s) for s in self.say]


class TitleSpec(SlideSpec):
    kind: Literal["title"]
    title: str
    subtitle: str = ""
    footer: str = ""


class TextSpec(SlideSpec):
    kind: Literal["text"]
    title: str
    bullets: list[str]


class DiagramSpec(SlideSpec):
    kind: Literal["diagram"]
    title: str
    steps: list[str]
    layout: Literal["chain", "tree"] = "chain"
    node_fill: tuple[int, int, int] = (225, 235, 248)
    caption: str = ""


class PhotoSpec(SlideSpec):
    kind: Literal["photo"]
    photo: str
    caption: str = ""
    center: tuple[float, float] = (0.5, 0.5)
    zoom: float = 1.0


class HistologySpec(SlideSpec):
    kind: Literal["histology"]
    view: ViewSpec
    layout: Literal["full", "framed"] = "full"
    cursor: bool = False


class HistologyWithTextSpec(SlideSpec):
    kind: Literal["histology_with_text"]
    view: ViewSpec
    title: str
    bullets: list[str]
    picture_side: Literal["left", "right"] = "left"


class RepeatSpec(SlideSpec):
    kind: Literal["repeat"]
    of: int = Field(description="index of the earlier slide shown again")


AnySlide = Annotated[
    TitleSpec | TextSpec | DiagramSpec | PhotoSpec | HistologySpec | HistologyWithTextSpec | RepeatSpec,
    Field(discriminator="kind"),
]
HISTOLOGY_KINDS = ("histology", "histology_with_text")


class LectureScript(Spec):
    video_id: str
    title: str
    theme: Theme
    slides: list[AnySlide]

    def original_index(self, index: int) -> int:
        """Index of the slide whose picture is on screen at position `index` (follows repeats)."""
        slide = self.slides[index]
        return slide.of if isinstance(slide, RepeatSpec) else index

    def shown(self, index: int) -> AnySlide:
        return self.slides[self.original_index(index)]

    @model_validator(mode="after")
    def _check_references(self) -> LectureScript:
        for i, slide in enumerate(self.slides):
            if isinstance(slide, RepeatSpec) and not (
                0 <= slide.of < i and not isinstance(self.slides[slide.of], RepeatSpec)
            ):
                raise ValueError(f"{self.video_id}: slide {i} repeats {slide.of}, not an earlier original slide")
            if slide.transition_in == "crossfade" and (
                i == 0 or {self.shown(i).kind, self.shown(i - 1).kind} - set(HISTOLOGY_KINDS)
            ):
                raise ValueError(f"{self.video_id}: slide {i} crossfades, but only histology slides may")
            if isinstance(slide, HistologySpec) and slide.cursor and (
                slide.transition_in == "crossfade"
                or (i + 1 < len(self.slides) and self.slides[i + 1].transition_in == "crossfade")
            ):
                raise ValueError(f"{self.video_id}: slide {i} has the pointer, so it must not cross-fade")
            for line in slide.say:
                parse_line(line)
        return self


@cache
def load_scripts() -> tuple[LectureScript, ...]:
    text = resources.files("curation.demo").joinpath("lectures.json").read_text(encoding="utf-8")
    return tuple(LectureScript.model_validate(raw) for raw in json.loads(text))


def all_terms() -> list[str]:
    """Every medical term the demo lectures speak, sorted."""
    return sorted({t for s in load_scripts() for slide in s.slides for line in slide.lines() for t in line.terms})
