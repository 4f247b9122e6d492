"""Mean structural similarity (SSIM) of consecutive grey analysis frames.

Same formula and constants as `skimage.metrics.structural_similarity` with its default 7x7
uniform window, but OpenCV box filters and per-frame statistics computed once (each frame is
compared twice, with the one before and the one after) make it several times faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WINDOW = 7
C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2
UNBIAS = WINDOW**2 / (WINDOW**2 - 1)  # sample covariance, as skimage
PAD = (WINDOW - 1) // 2


def _blur(img: np.ndarray) -> np.ndarray:
    return cv2.blur(img, (WINDOW, WINDOW), borderType=cv2.BORDER_REFLECT)


@dataclass(frozen=True)
class GreyStats:
    pixels: np.ndarray
    mean: np.ndarray
    variance: np.ndarray


def grey_stats(grey: np.ndarray) -> GreyStats:
    x = grey.astype(np.float32)
    mean = _blur(x)
    return GreyStats(x, mean, UNBIAS * (_blur(x * x) - mean * mean))


def ssim(a: GreyStats, b: GreyStats) -> float:
    if a.pixels.shape != b.pixels.shape:
        raise ValueError(
            f"ssim needs images of one shape, got {a.pixels.shape} and {b.pixels.shape}"
        )
    cross = a.mean * b.mean
    covariance = UNBIAS * (_blur(a.pixels * b.pixels) - cross)
    index = ((2 * cross + C1) * (2 * covariance + C2)) / (
        (a.mean * a.mean + b.mean * b.mean + C1) * (a.variance + b.variance + C2)
    )
    return float(index[PAD:-PAD, PAD:-PAD].mean(dtype=np.float64))
