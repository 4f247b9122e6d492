"""Slide pictures for the OCR tests, drawn with the demo renderers."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

from curation.demo import slides as draw
from curation.demo.tissue import View


def labelled_tissue(label: str, dark: bool = False, stain: str = "he") -> np.ndarray:
    """A full-screen microscope field with `label` in a box at its top left corner."""
    image, _ = draw.histology_slide(View(stain=stain, zoom=1.5))
    canvas = ImageDraw.Draw(image)
    face = draw.font(34, bold=True)
    width = int(face.getlength(label))
    canvas.rectangle((24, 24, width + 48, 80), fill=(20, 20, 20) if dark else (255, 255, 255))
    canvas.text((36, 52), label, font=face, fill=(255, 255, 255) if dark else (0, 0, 0), anchor="lm")
    return np.asarray(image)


def tissue(stain: str = "he") -> np.ndarray:
    return np.asarray(draw.histology_slide(View(stain=stain, zoom=1.5))[0])


def text_slide(title: str, bullets: list[str]) -> np.ndarray:
    return np.asarray(draw.text_slide(draw.Theme(), title, bullets))


def title_slide(title: str, subtitle: str) -> np.ndarray:
    return np.asarray(draw.title_slide(draw.Theme(band=None), title, subtitle))
