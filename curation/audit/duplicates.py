"""Duplicates left in a version: near-duplicate images (perceptual hash) and repeated captions."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
from PIL import Image

from curation.records import Pair

MAX_BLOCK_CELLS = 1 << 24  # hash comparisons held in memory at once (128 MB of uint64)


def image_phash(data: bytes) -> int:
    import imagehash

    with Image.open(io.BytesIO(data)) as image:
        image.draft("L", (128, 128))  # JPEG decodes at reduced scale; phash looks at 32x32 anyway
        return int(str(imagehash.phash(image)), 16)


def near_duplicate_edges(hashes: list[int], max_distance: int) -> list[tuple[int, int]]:
    """Index pairs (i < j) whose 64-bit hashes differ in at most `max_distance` bits."""
    arr = np.array(hashes, dtype=np.uint64)
    edges: list[tuple[int, int]] = []
    rows_per_block = max(1, MAX_BLOCK_CELLS // max(arr.size, 1))
    for start in range(0, arr.size, rows_per_block):
        block = arr[start : start + rows_per_block]
        distance = np.bitwise_count(block[:, None] ^ arr[None, start:])  # only j >= i is needed
        rows, cols = np.nonzero(distance <= max_distance)
        rows, cols = rows + start, cols + start
        keep = rows < cols
        edges.extend(zip(rows[keep].tolist(), cols[keep].tolist()))
    return edges


def near_duplicate_images(hashes: list[int], max_distance: int) -> dict:
    """How many images have a near-duplicate, and how many are redundant (all but one per group)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(hashes)
    if n == 0:
        return {
            "images": 0,
            "max_distance": max_distance,
            "with_near_duplicate": 0,
            "redundant": 0,
            "redundant_rate": None,
        }
    edges = near_duplicate_edges(hashes, max_distance)
    rows = [i for i, _ in edges]
    cols = [j for _, j in edges]
    graph = coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
    groups, _ = connected_components(graph, directed=False)
    with_duplicate = len({i for edge in edges for i in edge})
    return {
        "images": n,
        "max_distance": max_distance,
        "with_near_duplicate": with_duplicate,
        "redundant": n - groups,
        "redundant_rate": (n - groups) / n,
    }


def repeated_captions(pairs: list[Pair]) -> dict:
    """Captions shared by several pairs. Within a video that is by design (a sentence spoken over
    several frames); across videos it points at boilerplate narration."""
    videos_of: dict[str, set[str]] = {}
    for pair in pairs:
        videos_of.setdefault(pair.caption.strip().lower(), set()).add(pair.video_id)
    uses = Counter(pair.caption.strip().lower() for pair in pairs)
    n = len(pairs)
    repeated = sum(count for count in uses.values() if count > 1)
    across = sum(uses[c] for c, videos in videos_of.items() if len(videos) > 1)
    same_pair = n - len({(p.image_path, p.caption) for p in pairs})
    return {
        "pairs": n,
        "distinct_captions": len(uses),
        "repeated_caption_rate": repeated / n if n else None,
        "cross_video_caption_rate": across / n if n else None,
        "exact_duplicate_pairs": same_pair,
    }
