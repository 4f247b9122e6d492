"""Stage `slides`: the text written on every kept keyframe, with boxes and confidence, and the
stains and magnification it names.

Every kept frame is read, not only histology: title and text slides name the diagnosis. Returns
records.SlideTexts (slides.json).
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from curation.config import Settings
from curation.errors import InvalidArtifact
from curation.lexicon.lexicon import load_lexicon
from curation.pipeline import StageContext
from curation.records import Keyframes, SlideText, SlideTexts
from curation.slides.facts import find_magnification, find_stains
from curation.slides.ocr import get_engine
from curation.slides.reading import read_frames


def decode_grey(data: bytes, path: str) -> np.ndarray:
    """A keyframe in grey: the line finder and tesseract read grey, and a JPEG decodes its grey
    alone in a quarter of the time of its colours."""
    grey = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        raise InvalidArtifact(path, "not a readable image; re-run the keyframes stage")
    return grey


def read_slides(keyframes: Keyframes, ctx: StageContext) -> SlideTexts:
    settings = ctx.settings.slides
    if not settings.enabled:
        return SlideTexts(video_id=keyframes.video_id, engine_id="off", frames=[])
    engine = get_engine(settings.engine)
    lexicon = load_lexicon()
    kept = [k for k in keyframes.keyframes if k.duplicate_of is None]
    started = time.perf_counter()
    images = (decode_grey(ctx.read_bytes(k.image_path), k.image_path) for k in kept)
    read = read_frames(engine, images, settings.min_confidence)
    frames = []
    for keyframe, lines in zip(kept, read):
        text = "\n".join(line.text for line in lines)
        frames.append(SlideText(
            index=keyframe.index, lines=lines, stains=find_stains(text, lexicon),
            magnification=find_magnification(text),
        ))
    ctx.report(
        frames=len(frames),
        frames_with_text=sum(bool(f.lines) for f in frames),
        words=sum(len(line.text.split()) for f in frames for line in f.lines),
        seconds=round(time.perf_counter() - started, 3),
    )
    return SlideTexts(video_id=keyframes.video_id, engine_id=engine.engine_id, frames=frames)


def fingerprint(settings: Settings) -> str:
    """The OCR engine and its version (another tesseract reads other words) and the lexicon the
    stain names come from: changing either re-runs this stage."""
    engine = get_engine(settings.slides.engine).engine_id if settings.slides.enabled else "off"
    return f"ocr:{engine}|lexicon:{load_lexicon().version}"
