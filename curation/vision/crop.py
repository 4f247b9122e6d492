"""Crop, don't drop: find the tissue picture on a slide that also carries a title or text.

1. Seed: the largest densely textured piece of the frame (lines of text leave gaps, tissue not).
2. Grow: a picture pasted on a slide is an axis-aligned rectangle, so the box grows side by side
   while the next line of pixels is still picture (textured, or unlike the slide background) and
   stops at the background margin or the frame edge.
3. Check: much solid stain left outside the box means the box is only part of a larger picture
   (a full-screen section); a region filling nearly the whole frame needs no crop; a small one is
   a thumbnail, not the subject of the slide.
"""

from __future__ import annotations

import cv2
import numpy as np

from curation.vision.features import local_deviation, masks, shrink

Box = tuple[int, int, int, int]
SEED_WINDOW = 9
SEED_DENSITY = 0.9  # share of textured pixels in the window around a seed pixel
LINE_SHARE = 0.6  # share of picture pixels in the next line for the box to grow over it
BACKGROUND_TOLERANCE = (
    24  # largest channel difference from the background colour that still matches
)
MAX_STAIN_OUTSIDE = 0.1  # share of solid stain allowed outside the box
MIN_AREA_SHARE = 0.12
MAX_AREA_SHARE = 0.85
MIN_STAIN_INSIDE = 0.1
MIN_SIDE_PX = 200  # shorter side of a crop worth training on, in frame pixels


def _seed(textured: np.ndarray) -> Box | None:
    density = cv2.blur(textured.astype(np.float32), (SEED_WINDOW, SEED_WINDOW))
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        (density >= SEED_DENSITY).astype(np.uint8)
    )
    if count < 2:
        return None
    x, y, w, h, _ = stats[1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))]
    return int(x), int(y), int(x + w), int(y + h)


def _not_background(small: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Pixels unlike the slide's background: the usual colour of flat pixels on the frame border."""
    ring = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    ring_flat = np.concatenate([flat[0], flat[-1], flat[:, 0], flat[:, -1]])
    if not ring_flat.any():
        return np.ones(flat.shape, bool)
    background = np.median(ring[ring_flat], axis=0)
    return np.abs(small.astype(np.int16) - background).max(axis=2) > BACKGROUND_TOLERANCE


def _grow(picture: np.ndarray, box: Box) -> Box:
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


def _outside_share(mask: np.ndarray, box: Box) -> float:
    x0, y0, x1, y1 = box
    area = mask.size - (x1 - x0) * (y1 - y0)
    return float((mask.sum() - mask[y0:y1, x0:x1].sum()) / area) if area else 0.0


def histology_region(rgb: np.ndarray) -> Box | None:
    """The picture's box (x0, y0, x1, y1) in frame pixels, or None when there is nothing to crop."""
    small = shrink(rgb)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    m = masks(cv2.cvtColor(small, cv2.COLOR_RGB2HSV), local_deviation(grey, window=3))
    seed = _seed(~m.flat)
    if seed is None:
        return None
    x0, y0, x1, y1 = _grow(~m.flat | _not_background(small, m.flat), seed)
    solid_stain = cv2.morphologyEx(
        m.stained.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)
    )
    if _outside_share(solid_stain, (x0, y0, x1, y1)) > MAX_STAIN_OUTSIDE:
        return None
    height, width = grey.shape
    # the 3x3 texture window reaches one pixel past the picture's edge into the background
    x0, y0 = x0 + (x0 > 0), y0 + (y0 > 0)
    x1, y1 = x1 - (x1 < width), y1 - (y1 < height)
    share = (x1 - x0) * (y1 - y0) / (width * height)
    if (
        not MIN_AREA_SHARE <= share <= MAX_AREA_SHARE
        or m.stained[y0:y1, x0:x1].mean() < MIN_STAIN_INSIDE
    ):
        return None
    sx, sy = rgb.shape[1] / width, rgb.shape[0] / height
    box = (round(x0 * sx), round(y0 * sy), round(x1 * sx), round(y1 * sy))
    return box if min(box[2] - box[0], box[3] - box[1]) >= MIN_SIDE_PX else None
