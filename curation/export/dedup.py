"""Near-duplicate images across videos (a lecture uploaded twice, a slide reused by another teacher)."""

from __future__ import annotations

import imagehash
import numpy as np

ImageKey = tuple[str, int]  # (video id, keyframe index)


def packed_hashes(hex_hashes: list[str]) -> np.ndarray:
    bits = np.stack([imagehash.hex_to_hash(h).hash.flatten() for h in hex_hashes])
    return np.packbits(bits, axis=1)


def cross_video_duplicates(images: dict[ImageKey, str], max_distance: int) -> dict[ImageKey, ImageKey]:
    """Image -> the earlier image (by video id, then index) of another video it nearly repeats.

    An image is compared only with images that are themselves kept, so a chain of small
    differences never removes more than one link.
    """
    keys = sorted(images)
    if not keys:
        return {}
    packed = packed_hashes([images[k] for k in keys])
    videos = np.array([video_id for video_id, _ in keys])
    kept = np.zeros(len(keys), dtype=bool)
    duplicates: dict[ImageKey, ImageKey] = {}
    for i, key in enumerate(keys):
        distance = np.bitwise_count(packed[:i] ^ packed[i]).sum(axis=1)
        match = np.flatnonzero((distance <= max_distance) & kept[:i] & (videos[:i] != videos[i]))
        if match.size:
            duplicates[key] = keys[match[0]]
        else:
            kept[i] = True
    return duplicates
