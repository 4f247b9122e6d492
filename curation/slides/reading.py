"""Read the text lines of frames: find them cheaply, then one engine call for all of them."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from curation.records import TextLine
from curation.slides.ocr import OcrEngine
from curation.slides.regions import Box, find_text_lines

PAD = 6  # pixels of ground kept around a line; recognisers misread letters cut at the edge
LEGIBLE = re.compile(r"[A-Za-z0-9]")


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    height, width = image.shape[:2]
    return image[max(0, y0 - PAD) : min(height, y1 + PAD), max(0, x0 - PAD) : min(width, x1 + PAD)]


def read_frames(engine: OcrEngine, images: Iterable[np.ndarray], min_confidence: float) -> list[list[TextLine]]:
    """The lines read on each frame (grey, as the stage decodes keyframes, or RGB), top to bottom,
    at `min_confidence` or above. Frames are cut into line crops one at a time (only the crops are
    kept) and read in one engine call."""
    boxes: list[list[Box]] = []
    crops: list[np.ndarray] = []
    for image in images:
        found = find_text_lines(image)
        boxes.append(found)
        crops += [crop(image, box) for box in found]
    reads = iter(engine.read(crops))
    frames = []
    for found in boxes:
        lines = []
        for box, (text, confidence) in zip(found, reads):
            if confidence >= min_confidence and LEGIBLE.search(text):
                lines.append(TextLine(text=text, box=box, confidence=round(min(1.0, confidence), 3)))
        frames.append(lines)
    return frames
