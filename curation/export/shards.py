"""webdataset shards per split: `<key>.jpg`, `<key>.txt`, `<key>.json`, with open_clip's `sizes.json`.

Image bytes are copied as stored, never re-encoded. A fixed mtime makes the tars reproducible.
Beside each tar, `NNNNN_stats.json` tells what it holds (the img2dataset habit).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from pydantic import BaseModel

from curation.records import Pair

SIZES_FILE = "sizes.json"


class ShardStats(BaseModel):
    shard: str
    count: int
    bytes: int
    videos: dict[str, int]
    text_types: dict[str, int]


def sample(pair: Pair, image: bytes, split: str) -> dict:
    extension = PurePosixPath(pair.image_path).suffix.lstrip(".").lower() or "jpg"
    return {
        "__key__": pair.pair_id,
        extension: image,
        "txt": pair.caption,
        "json": pair.model_dump(mode="json") | {"split": split},
    }


def write_shard(path: Path, pairs: list[Pair], split: str, read_image: Callable[[str], bytes]) -> ShardStats:
    from webdataset import TarWriter  # imports torch: seconds that only a dataset build should pay

    with TarWriter(str(path), mtime=0.0) as sink:
        for pair in pairs:
            sink.write(sample(pair, read_image(pair.image_path), split))
    return ShardStats(
        shard=path.name,
        count=len(pairs),
        bytes=path.stat().st_size,
        videos=dict(Counter(p.video_id for p in pairs)),
        text_types=dict(Counter(p.text_type for p in pairs)),
    )


def shard_plan(pairs: list[Pair], shard_size: int) -> dict[str, list[Pair]]:
    """Shard file name -> the pairs it will hold, in order."""
    if shard_size < 1:
        raise ValueError(f"export.shard_size must be at least 1, got {shard_size}")
    return {
        f"{number:05d}.tar": pairs[start : start + shard_size]
        for number, start in enumerate(range(0, len(pairs), shard_size))
    }


def write_shards(
    folder: Path, plan: dict[str, list[Pair]], split: str, read_image: Callable[[str], bytes]
) -> list[ShardStats]:
    folder.mkdir(parents=True, exist_ok=True)
    shards = []
    for name, pairs in plan.items():
        stats = write_shard(folder / name, pairs, split, read_image)
        (folder / name.replace(".tar", "_stats.json")).write_text(stats.model_dump_json(indent=1))
        shards.append(stats)
    (folder / SIZES_FILE).write_text(json.dumps({s.shard: s.count for s in shards}, indent=1))
    return shards
