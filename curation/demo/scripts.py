"""The narration scripts of the demo lectures (lectures.json) and what each slide shows.

A slide says a list of sentences written in a light markup:
- a medical term is in square brackets, spelled as in the curated term list:
  "nests of [basaloid cells]" speaks "nests of basaloid cells" with the term "basaloid cells";
  where the spoken words are spelled otherwise (a capital starting a sentence), the term follows
  a bar: "[Mitoses|mitoses] are common";
- a sentence where the narrator points at a region starts with "> ".
A `repeat` slide shows an earlier slide of the same lecture again. A slide may start a chapter of
the lecture's page; a histology slide may carry a title band and a label on the picture naming the
stain and magnification, as real teaching slides do.

Three corpora: `demo` (lectures.json, clean narration, used by the tests), `hard`
(hard_lectures.json: short lectures with eponyms, special stains and markers, narrated under the
audio conditions each one names) and `negative` (negative_lectures.json: videos a histology search
also finds that are no narrated histology lecture: a talking head, a radiology lecture, histology
slides under music with nobody speaking, a narration in German). A `no_speech` lecture's sentences
only time its slides; they are never heard.
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

CORPORA = {"demo": "lectures.json", "hard": "hard_lectures.json", "negative": "negative_lectures.json"}
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
    chapter: str = Field("", description="title of the page chapter that starts with this slide")

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


class LabelSpec(Spec):
    """The label on a microscope picture: "Ziehl-Neelsen x100", "HER2 3+ x20"."""

    stain: str = Field("", description="a stain, named as the lexicon's canonical name")
    marker: str = Field("", description="an immunostain's marker and score, such as 'HER2 3+'")
    magnification: str = Field("", pattern=r"^(x\d+)?$")

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.stain, self.marker, self.magnification) if part)

    @model_validator(mode="after")
    def _says_something(self) -> LabelSpec:
        if not self.text:
            raise ValueError("a label names a stain, a marker or a magnification")
        return self


class HistologySpec(SlideSpec):
    kind: Literal["histology"]
    view: ViewSpec
    layout: Literal["full", "framed"] = "full"
    cursor: bool = False
    title: str = Field("", description="drawn in a band across the top of the picture")
    label: LabelSpec | None = None


class HistologyWithTextSpec(SlideSpec):
    kind: Literal["histology_with_text"]
    view: ViewSpec
    title: str
    bullets: list[str]
    picture_side: Literal["left", "right"] = "left"
    label: LabelSpec | None = None


class ScanSpec(SlideSpec):
    """A radiology image (see scans.py) on black with its title."""

    kind: Literal["scan"]
    modality: Literal["xray", "ct", "mr"]
    title: str


class RepeatSpec(SlideSpec):
    kind: Literal["repeat"]
    of: int = Field(description="index of the earlier slide shown again")


AnySlide = Annotated[
    TitleSpec | TextSpec | DiagramSpec | PhotoSpec | HistologySpec | HistologyWithTextSpec | ScanSpec | RepeatSpec,
    Field(discriminator="kind"),
]
HISTOLOGY_KINDS = ("histology", "histology_with_text")
AudioCondition = Literal["music", "hum_noise", "fast_speech", "low_bitrate", "no_speech"]


def written_lines(spec: AnySlide) -> list[str]:
    """Every line of text drawn on a slide, in reading order."""
    lines: list[str] = []
    for name in ("title", "subtitle", "bullets", "steps", "caption", "footer"):
        value = getattr(spec, name, None)
        lines += [value] if isinstance(value, str) else list(value or [])
    label = getattr(spec, "label", None)
    lines += [label.text] if label else []
    return [line for line in lines if line.strip()]


class AudioSpec(Spec):
    """How the narration sounds: a speaking rate and the conditions mixed into it."""

    conditions: list[AudioCondition] = []
    words_per_minute: int = Field(150, ge=80, le=260)
    bitrate_kbps: int = Field(64, ge=16, le=192)
    voice: str = Field("en-us", pattern=r"^[a-z]{2,3}(-[a-z]+)?$", description="espeak-ng voice of the narrator")

    @model_validator(mode="after")
    def _conditions_match_settings(self) -> AudioSpec:
        if ("fast_speech" in self.conditions) != (self.words_per_minute >= 190):
            raise ValueError("fast_speech means a rate of 190 words a minute or more, and only it")
        if ("low_bitrate" in self.conditions) != (self.bitrate_kbps <= 32):
            raise ValueError("low_bitrate means audio of 32 kb/s or less, and only it")
        return self


class PageSpec(Spec):
    """The lecture's page on the video site: what yt-dlp reads besides the media."""

    description: str = Field(min_length=1)
    tags: list[str] = []


class LectureScript(Spec):
    video_id: str
    title: str
    theme: Theme
    page: PageSpec
    audio: AudioSpec = AudioSpec()
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
def load_scripts(corpus: str = "demo") -> tuple[LectureScript, ...]:
    if corpus not in CORPORA:
        raise ValueError(f"unknown demo corpus {corpus!r}; known: {sorted(CORPORA)}")
    text = resources.files("curation.demo").joinpath(CORPORA[corpus]).read_text(encoding="utf-8")
    return tuple(LectureScript.model_validate(raw) for raw in json.loads(text))


def all_terms() -> list[str]:
    """Every medical term the demo lectures speak, sorted."""
    return sorted({t for s in load_scripts() for slide in s.slides for line in slide.lines() for t in line.terms})
