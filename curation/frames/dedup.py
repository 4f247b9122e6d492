"""Near-duplicate keyframes by perceptual-hash distance; the sharpest copy of each group stays.

Greedy and deterministic: frames are visited from sharpest to least sharp (ties by position) and
a frame within `max_distance` bits of an already kept frame becomes a duplicate of the nearest
one. So no two kept frames are near-duplicates of each other.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from curation.records import Keyframe, Keyframes


def _greedy_duplicates(
    keys: Sequence[Hashable], hashes: Sequence[str], sharpness: Sequence[float], max_distance: int
) -> dict[Hashable, tuple[Hashable, int]]:
    """Dropped key -> (kept key, distance in bits)."""
    order = sorted(range(len(keys)), key=lambda i: (-sharpness[i], i))
    kept_hashes = np.empty(len(keys), dtype=np.uint64)
    kept_keys: list[Hashable] = []
    duplicates: dict[Hashable, tuple[Hashable, int]] = {}
    for i in order:
        value = np.uint64(int(hashes[i], 16))
        if kept_keys:
            distances = np.bitwise_count(kept_hashes[: len(kept_keys)] ^ value)
            nearest = int(np.argmin(distances))
            if distances[nearest] <= max_distance:
                duplicates[keys[i]] = (kept_keys[nearest], int(distances[nearest]))
                continue
        kept_hashes[len(kept_keys)] = value
        kept_keys.append(keys[i])
    return duplicates


def mark_duplicates(keyframes: Sequence[Keyframe], max_distance: int) -> list[Keyframe]:
    """Copies of `keyframes`; each near-duplicate dropped within the video names the kept copy
    (`duplicate_of`) and the distance that made it a duplicate (`duplicate_distance`)."""
    duplicates = _greedy_duplicates(
        [k.index for k in keyframes],
        [k.phash for k in keyframes],
        [k.sharpness for k in keyframes],
        max_distance,
    )
    marked = []
    for k in keyframes:
        kept, distance = duplicates.get(k.index, (None, None))
        marked.append(k.model_copy(update={"duplicate_of": kept, "duplicate_distance": distance}))
    return marked


def find_cross_video_duplicates(
    keyframes_by_video: Mapping[str, Keyframes | Sequence[Keyframe]], max_distance: int = 10
) -> dict[tuple[str, int], tuple[str, int]]:
    """Near-duplicates across a collection: (video_id, index) dropped -> (video_id, index) kept.

    Only frames still kept within their own video take part. Run with the threshold the frames
    stage used, every pair found joins two different videos.
    """
    frames: list[Keyframe] = []
    for video_id in sorted(keyframes_by_video):
        entry = keyframes_by_video[video_id]
        frames.extend(
            k
            for k in (entry.keyframes if isinstance(entry, Keyframes) else entry)
            if k.duplicate_of is None
        )
    duplicates = _greedy_duplicates(
        [(k.video_id, k.index) for k in frames],
        [k.phash for k in frames],
        [k.sharpness for k in frames],
        max_distance,
    )
    return {dropped: kept for dropped, (kept, _) in duplicates.items()}
