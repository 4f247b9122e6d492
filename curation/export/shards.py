"""webdataset shards per split: `<key>.jpg`, `<key>.txt`, `<key>.json`, with open_clip's `sizes.json`.

A shard is a plain tar whose members are `<key>.<extension>`, a sample's members together, so
the standard library writes it: webdataset's own writer would import torch (webdataset's package
imports it), 2-3 s of a short run's start-up that nothing here needs. Image bytes are copied as
stored, never re-encoded. Fixed metadata (mtime 0, no owner) makes the tars reproducible.
Beside each tar, `NNNNN_stats.json` tells what it holds (the img2dataset habit).
"""

from __future__ import annotations

import io
import json
import tarfile
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


def sample_members(pair: Pair, image: bytes, split: str) -> dict[str, bytes]:
    """Member name -> bytes, in the order webdataset's writer puts them (sorted by extension)."""
    extension = PurePosixPath(pair.image_path).suffix.lstrip(".").lower() or "jpg"
    members = {
        extension: image,
        "txt": pair.caption.encode(),
        "json": json.dumps(pair.model_dump(mode="json") | {"split": split}).encode(),
    }
    return {f"{pair.pair_id}.{ext}": members[ext] for ext in sorted(members)}


def add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o444
    tar.addfile(info, io.BytesIO(data))


def write_shard(path: Path, pairs: list[Pair], split: str, read_image: Callable[[str], bytes]) -> ShardStats:
    with tarfile.open(path, "w") as tar:
        for pair in pairs:
            for name, data in sample_members(pair, read_image(pair.image_path), split).items():
                add_member(tar, name, data)
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
