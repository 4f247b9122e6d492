"""Crop, don't drop: find the tissue picture on a slide that also carries a title or text.

The largest piece of the tissue mask (textured, stained pixels, thin strokes opened away) seeds
the box. A picture pasted on a slide is an axis-aligned rectangle on a flat background, so the
box then grows side by side while the next line of pixels is still textured, and stops at the
background margin or the frame edge. A region that fills nearly the whole frame needs no crop;
a small one is a thumbnail, not the subject of the slide.
"""

from __future__ import annotations

import cv2
import numpy as np

from curation.vision.features import Masks, local_deviation, masks, shrink

Box = tuple[int, int, int, int]
SEED_WINDOW = 9
SEED_DENSITY = 0.9
LINE_SHARE = 0.6  # a line of pixels belongs to the picture when this share is textured or off-background
BACKGROUND_TOLERANCE = 24
MAX_STAIN_OUTSIDE = 0.1
MIN_AREA_SHARE = 0.12
MAX_AREA_SHARE = 0.85
MIN_DENSITY = 0.25  # share of stained pixels inside the box
MIN_SIDE_PX = 200  # shorter side of a crop worth training on, in frame pixels


def _masks(small: np.ndarray) -> Masks:
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    return masks(small, hsv, local_deviation(grey, window=3))


def _seed(textured: np.ndarray) -> tuple[int, int, int, int] | None:
    """Box of the largest densely textured piece; lines of text leave gaps and stay below."""
    density = cv2.blur(textured.astype(np.float32), (SEED_WINDOW, SEED_WINDOW))
    mask = (density >= SEED_DENSITY).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2:
        return None
    x, y, w, h, _ = stats[1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))]
    return int(x), int(y), int(x + w), int(y + h)


def _not_background(small: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Pixels unlike the slide's background: the usual colour of flat pixels on the frame border."""
    border = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    border_flat = np.concatenate([flat[0], flat[-1], flat[:, 0], flat[:, -1]])
    if not border_flat.any():
        return np.ones(flat.shape, bool)
    background = np.median(border[border_flat], axis=0)
    return np.abs(small.astype(np.int16) - background).max(axis=2) > BACKGROUND_TOLERANCE


def _grow(picture: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    height, width = picture.shape
    grown = True
    while grown:
        grown = False
        if x0 > 0 and picture[y0:y1, x0 - 1].mean() >= LINE_SHARE:
            x0, grown = x0 - 1, True
        if x1 < width and picture[y0:y1, x1].mean() >= LINE_SHARE:
            x1, grown = x1 + 1, True
        if y0 > 0 and picture[y0 - 1, x0:x1].mean() >= LINE_SHARE:
            y0, grown = y0 - 1, True
        if y1 < height and picture[y1, x0:x1].mean() >= LINE_SHARE:
            y1, grown = y1 + 1, True
    return x0, y0, x1, y1


def _outside_share(mask: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    outside = mask.sum() - mask[y0:y1, x0:x1].sum()
    area = mask.size - (x1 - x0) * (y1 - y0)
    return float(outside / area) if area else 0.0


def histology_region(rgb: np.ndarray) -> Box | None:
    """The picture's box (x0, y0, x1, y1) in frame pixels, or None when there is nothing to crop."""
    small = shrink(rgb)
    m = _masks(small)
    seed = _seed(~m.flat)
    if seed is None:
        return None
    picture = ~m.flat | _not_background(small, m.flat)
    x0, y0, x1, y1 = _grow(picture, seed)
    height, width = m.flat.shape
    # a box with much tissue outside it is only part of a larger picture
    if _outside_share(m.stained, (x0, y0, x1, y1)) > MAX_STAIN_OUTSIDE:
        return None
    # the 3x3 texture window reaches one pixel past the picture's edge into the background
    x0, y0 = x0 + (x0 > 0), y0 + (y0 > 0)
    x1, y1 = x1 - (x1 < width), y1 - (y1 < height)
    share = (x1 - x0) * (y1 - y0) / (width * height)
    if not MIN_AREA_SHARE <= share <= MAX_AREA_SHARE or m.stained[y0:y1, x0:x1].mean() < MIN_DENSITY:
        return None
    sx, sy = rgb.shape[1] / width, rgb.shape[0] / height
    box = (round(x0 * sx), round(y0 * sy), round(x1 * sx), round(y1 * sy))
    if min(box[2] - box[0], box[3] - box[1]) < MIN_SIDE_PX:
        return None
    return box
