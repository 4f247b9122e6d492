"""Image fingerprints used to compare and rank keyframes."""

from __future__ import annotations

import cv2
import imagehash
import numpy as np
from PIL import Image


def perceptual_hash(rgb: np.ndarray) -> str:
    """64-bit DCT perceptual hash as 16 hex digits."""
    return str(imagehash.phash(Image.fromarray(rgb)))


def sharpness(rgb: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image: higher is sharper."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return round(float(cv2.Laplacian(grey, cv2.CV_64F).var()), 3)


def hamming(hash_a: str, hash_b: str) -> int:
    return (int(hash_a, 16) ^ int(hash_b, 16)).bit_count()
