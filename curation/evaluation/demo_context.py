"""A demo lecture's page and slides as the text stage receives them, read from its script: the
`Video` its page gives (title, description, tags and chapters, as yt-dlp reads them off the demo
server's page) and the `SlideTexts` a faithful OCR of its slides gives. Benches and tests
score the frozen transcripts with them, so the vocabulary's part is measured without running OCR."""

from __future__ import annotations

from curation.demo.scripts import CORPORA, LectureScript, RepeatSpec, load_scripts
from curation.records import SlideText, SlideTexts, TextLine, Video

_WRITTEN_FIELDS = ("title", "subtitle", "bullets", "steps", "caption")


def _written_lines(slide) -> list[str]:
    lines: list[str] = []
    for name in _WRITTEN_FIELDS:
        value = getattr(slide, name, None)
        lines += [value] if isinstance(value, str) else list(value or [])
    return [line for line in lines if line.strip()]


def _script(video_id: str) -> LectureScript | None:
    return next((s for corpus in CORPORA for s in load_scripts(corpus) if s.video_id == video_id), None)


def demo_video(video_id: str, title: str = "") -> Video:
    """The lecture's page; a video with no script has only the `title` given."""
    script = _script(video_id)
    if script is None:
        return Video(video_id=video_id, url=f"demo://{video_id}", title=title)
    return Video(
        video_id=video_id,
        url=f"demo://{video_id}",
        title=script.title,
        description=script.page.description,
        tags=list(script.page.tags),
        chapters=[slide.chapter for slide in script.slides if slide.chapter],
    )


def demo_slides(video_id: str) -> SlideTexts:
    """Every slide's written lines (repeats left out: they show an earlier slide again)."""
    script = _script(video_id)
    frames = [
        SlideText(index=i, lines=[TextLine(text=t, box=(0, 0, 1, 1), confidence=1.0) for t in lines])
        for i, slide in enumerate(script.slides if script else [])
        if not isinstance(slide, RepeatSpec) and (lines := _written_lines(slide))
    ]
    return SlideTexts(video_id=video_id, engine_id="demo-script", frames=frames)
