"""What changed between two dataset versions, by stable pair id."""

from __future__ import annotations

import posixpath

import pyarrow.parquet as pq
from pydantic import BaseModel

from curation.export.versions import read_version
from curation.store import Store

PAIRS_FILE = "pairs.parquet"


class VersionDiff(BaseModel):
    previous: str | None
    current: str
    added: list[str]
    removed: list[str]
    unchanged: int
    videos_added: list[str]
    videos_removed: list[str]


def pair_videos(store: Store, name: str, version: str) -> dict[str, str]:
    """pair id -> video id of one published version."""
    with store.fs.open(posixpath.join(store.dataset_dir(name, version), PAIRS_FILE), "rb") as fh:
        table = pq.read_table(fh, columns=["pair_id", "video_id"])
    return dict(zip(table["pair_id"].to_pylist(), table["video_id"].to_pylist(), strict=True))


def diff_pairs(old: dict[str, str], new: dict[str, str], previous: str | None, current: str) -> VersionDiff:
    return VersionDiff(
        previous=previous,
        current=current,
        added=sorted(new.keys() - old.keys()),
        removed=sorted(old.keys() - new.keys()),
        unchanged=len(new.keys() & old.keys()),
        videos_added=sorted(set(new.values()) - set(old.values())),
        videos_removed=sorted(set(old.values()) - set(new.values())),
    )


def diff_versions(store: Store, name: str, old: str, new: str) -> VersionDiff:
    for version in (old, new):
        read_version(store, name, version)  # a clear error for an unknown version
    return diff_pairs(pair_videos(store, name, old), pair_videos(store, name, new), old, new)
