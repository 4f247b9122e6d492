"""What changed between two dataset versions, by stable pair id."""

from __future__ import annotations

from pydantic import BaseModel

from curation.export.versions import VersionReader
from curation.store import Store


class VersionDiff(BaseModel):
    previous: str | None
    current: str
    added: list[str]
    removed: list[str]
    unchanged: int
    videos_added: list[str]
    videos_removed: list[str]


def diff_pairs(old: dict[str, str], new: dict[str, str], previous: str | None, current: str) -> VersionDiff:
    """Both sides as pair id -> video id."""
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
    before, after = VersionReader(store, name, old), VersionReader(store, name, new)
    return diff_pairs(before.pair_videos(), after.pair_videos(), old, new)
