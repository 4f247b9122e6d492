"""Build the demo lectures: narrated MP4s with their page and a ground-truth JSON each, cached by
generator version. A folder holds the lectures of one corpus (`demo`, `hard` or `negative`, see scripts.py).

Time line of a slide: LEAD_S of silence, its sentences with PAUSE_S between them, TAIL_S of
silence, rounded up to whole frames. Slides change only in that silence, so no sentence straddles
a cut; a cross-fade is centred on the slide boundary and lies inside the silence too.

Sounds of the hard lectures' audio conditions lie under the whole time line, pauses included.

    python -m curation.demo.build OUT_DIR [--corpus demo|hard|negative] [--only lecture-01 ...]
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import math
import os
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from curation.atomic_file import write_atomically
from curation.demo import slides as draw
from curation.demo.audio import mix_conditions
from curation.demo.page import page_name, write_page
from curation.demo.scans import scan_image
from curation.demo.scripts import (
    CORPORA,
    HISTOLOGY_KINDS,
    DiagramSpec,
    HistologySpec,
    HistologyWithTextSpec,
    LectureScript,
    PhotoSpec,
    ScanSpec,
    TextSpec,
    TitleSpec,
    load_scripts,
    written_lines,
)
from curation.demo.truth import (
    AudioTruth,
    ChapterTruth,
    LectureTruth,
    PageTruth,
    SentenceTruth,
    SlideTruth,
    load_truth,
    truth_path,
)
from curation.demo.tts import SAMPLE_RATE, speak_all
from curation.demo.video import encode_mp4, yuv420, yuv420_patched, yuv_planes

GENERATOR_VERSION = "6"
FPS = 15
SAMPLES_PER_FRAME = SAMPLE_RATE // FPS
LEAD_S, PAUSE_S, TAIL_S = 0.6, 0.35, 0.6
CROSSFADE_FRAMES = 12  # 0.8 s
CURSOR_MARGIN = 0.12  # share of the picture the pointer keeps away from its edges

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shown:
    """What one slide puts on screen."""

    image: Image.Image
    kind: str
    box: draw.Box | None
    cursor: bool


def render(script: LectureScript, index: int) -> Shown:
    spec = script.shown(index)
    theme = script.theme
    match spec:
        case TitleSpec():
            return Shown(draw.title_slide(theme, spec.title, spec.subtitle, spec.footer), "title", None, False)
        case TextSpec():
            return Shown(draw.text_slide(theme, spec.title, spec.bullets), "text", None, False)
        case DiagramSpec():
            image = draw.diagram_slide(theme, spec.title, spec.steps, spec.layout, spec.node_fill, spec.caption)
            return Shown(image, "diagram", None, False)
        case PhotoSpec():
            return Shown(draw.photo_slide(spec.photo, spec.caption, spec.center, spec.zoom), "photo", None, False)
        case HistologySpec():
            label = spec.label.text if spec.label else ""
            image, box = draw.histology_slide(spec.view.view(), spec.layout, spec.title, label)
            return Shown(image, "histology", box, spec.cursor and spec is script.slides[index])
        case HistologyWithTextSpec():
            image, box = draw.histology_with_text_slide(
                theme, spec.view.view(), spec.title, spec.bullets, spec.picture_side,
                label=spec.label.text if spec.label else "",
            )
            return Shown(image, "histology_with_text", box, False)
        case ScanSpec():
            scan = scan_image(spec.modality, zlib.crc32(f"{script.video_id}/{index}".encode()))
            return Shown(draw.scan_slide(scan, spec.title), "scan", None, False)
    raise TypeError(f"{script.video_id}: cannot draw slide {index} ({spec.kind})")


@dataclass(frozen=True)
class Timeline:
    slide_frames: list[tuple[int, int]]  # [first, end) frame of each slide
    sentence_samples: list[tuple[int, int, int]]  # slide, first sample, end sample
    total_frames: int


def plan(script: LectureScript, clip_lengths: list[int]) -> Timeline:
    """Place every sentence (its clip length in samples) and every slide on the time line."""
    lengths = iter(clip_lengths)
    slide_frames, sentence_samples = [], []
    frame = 0
    for index, slide in enumerate(script.slides):
        cursor = frame * SAMPLES_PER_FRAME + round(LEAD_S * SAMPLE_RATE)
        for _ in slide.say:
            length = next(lengths)
            sentence_samples.append((index, cursor, cursor + length))
            cursor += length + round(PAUSE_S * SAMPLE_RATE)
        speech_end = sentence_samples[-1][2]
        end_frame = math.ceil((speech_end + TAIL_S * SAMPLE_RATE) / SAMPLES_PER_FRAME)
        slide_frames.append((frame, end_frame))
        frame = end_frame
    return Timeline(slide_frames, sentence_samples, frame)


def narration(script: LectureScript, timeline: Timeline, clips: list[np.ndarray]) -> tuple[np.ndarray, dict[str, float]]:
    """The lecture's audio track and the level of each sound its conditions mixed under the voice."""
    audio = np.zeros(timeline.total_frames * SAMPLES_PER_FRAME, dtype=np.int16)
    speaking = np.zeros(len(audio), dtype=bool)
    for (_, start, end), clip in zip(timeline.sentence_samples, clips):
        audio[start:end] = clip
        speaking[start:end] = True
    seed = zlib.crc32(script.video_id.encode())
    return mix_conditions(audio, speaking, script.audio.conditions, SAMPLE_RATE, seed)


def _inset(box: draw.Box) -> draw.Box:
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) * CURSOR_MARGIN, (y1 - y0) * CURSOR_MARGIN
    return int(x0 + dx), int(y0 + dy), int(x1 - dx), int(y1 - dy)


def cursor_frames(slide: Shown, count: int) -> Iterator[bytes]:
    """The slide with the pointer touring its picture; only the patch under the pointer is converted."""
    planes = yuv_planes(slide.image)
    sprite = draw.cursor_sprite()
    patch_w, patch_h = sprite.width + 2 + sprite.width % 2, sprite.height + 2 + sprite.height % 2
    for k in range(count):
        x, y = draw.cursor_position(_inset(slide.box), k / count)
        corner = (x - x % 2, y - y % 2)
        patch = slide.image.crop((*corner, corner[0] + patch_w, corner[1] + patch_h))
        patch.paste(sprite, (x - corner[0], y - corner[1]), sprite)
        yield yuv420_patched(planes, patch, corner)


def _fade(step: int) -> float:
    """Weight of the incoming slide in cross-fade frame `step` (0 to CROSSFADE_FRAMES - 1)."""
    return (step + 0.5) / CROSSFADE_FRAMES


def frames(shown: list[Shown], timeline: Timeline, crossfades: list[bool]) -> Iterator[bytes]:
    """yuv420p frames of the whole lecture; `crossfades[i]` blends slide i-1 into slide i."""
    half = CROSSFADE_FRAMES // 2
    for i, (slide, (first, end)) in enumerate(zip(shown, timeline.slide_frames)):
        if slide.cursor:
            yield from cursor_frames(slide, end - first)
            continue
        still = yuv420(slide.image)
        fade_in = crossfades[i]
        fade_out = i + 1 < len(shown) and crossfades[i + 1]
        for k in range(first, end):
            if fade_in and k < first + half:
                yield yuv420(Image.blend(shown[i - 1].image, slide.image, _fade(k - first + half)))
            elif fade_out and k >= end - half:
                yield yuv420(Image.blend(slide.image, shown[i + 1].image, _fade(k - end + half)))
            else:
                yield still


def _seconds(samples: int) -> float:
    return round(samples / SAMPLE_RATE, 4)


def slide_truth(script: LectureScript, index: int, shown: Shown, frames: tuple[int, int]) -> SlideTruth:
    spec = script.shown(index)
    label = getattr(spec, "label", None)
    return SlideTruth(
        index=index, start=round(frames[0] / FPS, 4), end=round(frames[1] / FPS, 4), kind=shown.kind,
        histology=shown.kind in HISTOLOGY_KINDS, has_cursor=shown.cursor,
        transition_in=script.slides[index].transition_in, histology_box=shown.box,
        picture=f"slide-{script.original_index(index)}", written=written_lines(spec),
        label=label.text if label else "", label_box=draw.label_box(shown.box, label.text) if label else None,
        stains=[label.stain] if label and label.stain else [],
        magnification=label.magnification if label else "",
    )


def page_truth(script: LectureScript, slides: list[SlideTruth], duration_s: float) -> PageTruth:
    starts = [(slide.chapter, truth.start) for slide, truth in zip(script.slides, slides) if slide.chapter]
    ends = [start for _, start in starts[1:]] + [duration_s]
    chapters = [ChapterTruth(title=title, start=start, end=end) for (title, start), end in zip(starts, ends)]
    return PageTruth(path=page_name(script.video_id), title=script.title, description=script.page.description,
                     tags=script.page.tags, chapters=chapters)


def lecture_truth(script: LectureScript, corpus: str, shown: list[Shown], timeline: Timeline,
                  levels_db: dict[str, float]) -> LectureTruth:
    slides = [slide_truth(script, i, s, frames) for i, (s, frames) in enumerate(zip(shown, timeline.slide_frames))]
    duration_s = round(timeline.total_frames / FPS, 4)
    lines = [line for slide in script.slides for line in slide.lines()]
    sentences = [
        SentenceTruth(
            index=n, start=_seconds(start), end=_seconds(end), text=line.text, slide=slide,
            terms=list(line.terms), is_roi=line.is_roi, is_med=bool(line.terms),
        )
        for n, (line, (slide, start, end)) in enumerate(zip(lines, timeline.sentence_samples))
    ] if "no_speech" not in script.audio.conditions else []
    audio = AudioTruth(conditions=list(script.audio.conditions), words_per_minute=script.audio.words_per_minute,
                       bitrate_kbps=script.audio.bitrate_kbps, levels_db=levels_db,
                       voice=script.audio.voice)
    return LectureTruth(
        generator_version=GENERATOR_VERSION, corpus=corpus, video_id=script.video_id, title=script.title,
        page=page_truth(script, slides, duration_s), audio=audio,
        duration_s=duration_s, width=draw.WIDTH, height=draw.HEIGHT, fps=FPS,
        slides=slides, sentences=sentences,
    )


def build_lecture(script: LectureScript, corpus: str, out_dir: Path) -> Path:
    """Render, narrate and mux one lecture and write its page; the truth JSON is written last, as the
    completion mark."""
    video_path = out_dir / f"{script.video_id}.mp4"
    truth_file = truth_path(out_dir, script.video_id)
    truth_file.unlink(missing_ok=True)
    clips = speak_all([line.text for slide in script.slides for line in slide.lines()], script.audio.words_per_minute,
                      voice=script.audio.voice)
    timeline = plan(script, [len(c) for c in clips])
    shown = [render(script, i) for i in range(len(script.slides))]
    crossfades = [s.transition_in == "crossfade" for s in script.slides]
    audio, levels_db = narration(script, timeline, clips)
    partial = out_dir / f".{video_path.name}.partial"
    encode_mp4(partial, frames(shown, timeline, crossfades), (draw.WIDTH, draw.HEIGHT), FPS,
               audio, SAMPLE_RATE, script.audio.bitrate_kbps)
    os.replace(partial, video_path)
    truth = lecture_truth(script, corpus, shown, timeline, levels_db)
    write_page(out_dir, script.video_id, truth.page, truth.duration_s)
    write_atomically(truth_file, truth.model_dump_json(indent=1))
    return video_path


def is_built(out_dir: Path, video_id: str) -> bool:
    truth_file = truth_path(out_dir, video_id)
    media = (out_dir / f"{video_id}.mp4", out_dir / page_name(video_id))
    if not (truth_file.exists() and all(path.exists() for path in media)):
        return False
    try:
        return load_truth(truth_file).generator_version == GENERATOR_VERSION
    except ValueError:  # unreadable or from an older schema
        return False


def build_demo_lectures(out_dir: Path, only: list[str] | None = None, corpus: str = "demo") -> list[Path]:
    """MP4 paths of the lectures of `corpus` in `out_dir`, building those missing or out of date."""
    scripts = load_scripts(corpus)
    known = [s.video_id for s in scripts]
    unknown = sorted(set(only or []) - set(known))
    if unknown:
        raise ValueError(f"unknown demo lecture(s) {unknown}; known: {known}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # scorers and manifests take every truth file of a folder, so a folder holds one corpus
    strangers = sorted({p.name.removesuffix(".truth.json") for p in out_dir.glob("*.truth.json")} - set(known))
    if strangers:
        raise ValueError(f"{out_dir} holds lectures not in corpus {corpus!r}: {strangers}; "
                         "build each corpus into a folder of its own")
    paths = []
    with _exclusive(out_dir / ".build.lock"):
        for script in scripts:
            if only is not None and script.video_id not in only:
                continue
            if not is_built(out_dir, script.video_id):
                started = time.perf_counter()
                build_lecture(script, corpus, out_dir)
                log.info("built %s in %.1f s", script.video_id, time.perf_counter() - started)
            paths.append(out_dir / f"{script.video_id}.mp4")
    return paths


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Serialise builders of one folder (test sessions running side by side share the cache)."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the narrated demo lectures and their ground truth.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="demo")
    parser.add_argument("--only", nargs="+", help="video ids to build (default: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in build_demo_lectures(args.out_dir, args.only, args.corpus):
        truth = load_truth(truth_path(path.parent, path.stem))
        print(f"{path}  {truth.duration_s:.1f} s, {len(truth.slides)} slides, {len(truth.sentences)} sentences")


if __name__ == "__main__":
    main()
