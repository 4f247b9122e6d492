"""Radiology pictures for the negative corpus, drawn with numpy: a chest X-ray, an axial chest CT
and an axial brain MR, greyscale as the modalities are, with soft edges and scanner noise.

Shapes are ellipses and arcs placed by a seeded generator, so a seed always gives the same image.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

SIZE = 512
MODALITIES = ("xray", "ct", "mr")


def _grid() -> tuple[np.ndarray, np.ndarray]:
    axis = np.linspace(-1.0, 1.0, SIZE)
    return np.meshgrid(axis, axis)


def _ellipse(x, y, cx, cy, rx, ry) -> np.ndarray:
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0


def chest_xray(rng: np.random.Generator) -> np.ndarray:
    """Bright mediastinum and ribs over two dark lung fields."""
    x, y = _grid()
    image = np.full((SIZE, SIZE), 0.55)
    for side in (-1, 1):
        image[_ellipse(x, y, side * 0.42, 0.0, 0.3 + rng.uniform(-0.02, 0.02), 0.62)] = 0.18
        for k in range(9):  # ribs: arcs across each lung field
            centre = -0.55 + 0.13 * k
            arc = np.abs(y - centre + 0.9 * (x * side - 0.45) ** 2) < 0.022
            image[arc & (x * side > 0.08) & (x * side < 0.8)] = 0.7
    image[_ellipse(x, y, 0.06, 0.15, 0.2, 0.42)] = 0.8  # heart and mediastinum
    image[np.abs(x) < 0.035] = 0.85  # spine
    return image


def chest_ct(rng: np.random.Generator) -> np.ndarray:
    """Body outline, fat ring, two black lungs, the heart and a bright vertebra."""
    x, y = _grid()
    image = np.zeros((SIZE, SIZE))
    image[_ellipse(x, y, 0, 0.05, 0.88, 0.62)] = 0.35
    image[_ellipse(x, y, 0, 0.05, 0.82, 0.56)] = 0.5
    for side in (-1, 1):
        image[_ellipse(x, y, side * 0.38, 0.0, 0.3, 0.42 + rng.uniform(-0.03, 0.03))] = 0.04
    image[_ellipse(x, y, 0.05, -0.05, 0.22, 0.2)] = 0.6
    image[_ellipse(x, y, 0, 0.45, 0.09, 0.08)] = 0.95
    nodule = rng.uniform(-0.5, -0.25), rng.uniform(-0.2, 0.2)
    image[_ellipse(x, y, nodule[0], nodule[1], 0.04, 0.04)] = 0.55
    return image


def brain_mr(rng: np.random.Generator) -> np.ndarray:
    """Skull, grey matter, white matter and the two lateral ventricles."""
    x, y = _grid()
    image = np.zeros((SIZE, SIZE))
    image[_ellipse(x, y, 0, 0, 0.72, 0.88)] = 0.85
    image[_ellipse(x, y, 0, 0, 0.66, 0.82)] = 0.45
    image[_ellipse(x, y, 0, 0, 0.55, 0.7)] = 0.7
    for side in (-1, 1):
        image[_ellipse(x, y, side * 0.1, -0.05, 0.06 + rng.uniform(0, 0.02), 0.28)] = 0.1
    return image


DRAW = {"xray": chest_xray, "ct": chest_ct, "mr": brain_mr}


def scan_image(modality: str, seed: int) -> Image.Image:
    """A greyscale scan of `modality` as an RGB picture, SIZE pixels square."""
    if modality not in DRAW:
        raise ValueError(f"unknown scan modality {modality!r}; known: {MODALITIES}")
    rng = np.random.default_rng(seed)
    grey = DRAW[modality](rng) + rng.normal(0, 0.03, (SIZE, SIZE))
    picture = Image.fromarray((np.clip(grey, 0, 1) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(2))
    return picture.convert("RGB")
