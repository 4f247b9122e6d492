"""A demo lecture's page and slides as the text stage receives them, read from its script: the
`Video` its page gives and the `SlideTexts` a faithful OCR of its slides gives. Benches and tests
score the frozen transcripts with them, so the vocabulary's part is measured without running OCR."""

from __future__ import annotations

from curation.demo.scripts import LectureScript, RepeatSpec, load_scripts
from curation.records import SlideText, SlideTexts, TextLine, Video

_WRITTEN_FIELDS = ("title", "subtitle", "bullets", "steps", "caption")


def _written_lines(slide) -> list[str]:
    lines: list[str] = []
    for name in _WRITTEN_FIELDS:
        value = getattr(slide, name, None)
        lines += [value] if isinstance(value, str) else list(value or [])
    return [line for line in lines if line.strip()]


def _script(video_id: str) -> LectureScript | None:
    return next((s for s in load_scripts() if s.video_id == video_id), None)


def demo_video(video_id: str, title: str = "") -> Video:
    script = _script(video_id)
    return Video(video_id=video_id, url=f"demo://{video_id}", title=script.title if script else title)


def demo_slides(video_id: str) -> SlideTexts:
    """Every slide's written lines (repeats left out: they show an earlier slide again)."""
    script = _script(video_id)
    frames = [
        SlideText(index=i, lines=[TextLine(text=t, box=(0, 0, 1, 1), confidence=1.0) for t in lines])
        for i, slide in enumerate(script.slides if script else [])
        if not isinstance(slide, RepeatSpec) and (lines := _written_lines(slide))
    ]
    return SlideTexts(video_id=video_id, engine_id="demo-script", frames=frames)
