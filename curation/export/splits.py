"""Train/validation split by video, never by pair, so no lecture is seen on both sides.

A video's split depends only on its id and the seed, so it stays put as new videos arrive.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Split = Literal["train", "val"]
SPLITS: tuple[Split, ...] = ("train", "val")


def unit_hash(seed: int, key: str) -> float:
    """A deterministic number in [0, 1) for this key and seed."""
    digest = hashlib.sha256(f"{seed}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(video_id: str, seed: int, val_fraction: float) -> Split:
    return "val" if unit_hash(seed, video_id) < val_fraction else "train"
