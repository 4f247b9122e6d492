"""Takedown: listed videos leave every new dataset version, and their stored content can be purged.

A takedown list is a CSV with the columns `video_id,reason`; lines starting with `#` are comments.
A list that is named must exist, so a mistyped path never turns takedown off. The default list,
`manifests/takedown.csv` (relative to the working folder), is used when present and no other is
named; where it is absent (another working folder, an installed package) only purged videos are
blocked.
Purging deletes everything stored for a video and leaves `tombstone.json`, a small record of
what was removed and why. A tombstoned video is excluded from builds even without the list.
"""

from __future__ import annotations

import csv
import io
import posixpath
from pathlib import Path

from curation.export.versions import VersionReader, version_names
from curation.records import Record
from curation.store import Store, utc_now

TOMBSTONE = "tombstone.json"
DEFAULT_TAKEDOWN = Path("manifests/takedown.csv")


class Tombstone(Record):
    video_id: str
    reason: str = ""
    purged_at: str
    removed: list[str] = []


def read_takedown(path: Path) -> dict[str, str]:
    """Video id -> reason, from a takedown CSV."""
    if not path.is_file():
        raise FileNotFoundError(f"takedown list {path} does not exist; fix the path or name none")
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames is None or "video_id" not in reader.fieldnames:
        raise ValueError(f"takedown list {path} needs a header with a 'video_id' column, got {reader.fieldnames}")
    return {row["video_id"].strip(): (row.get("reason") or "").strip() for row in reader if row["video_id"].strip()}


def tombstoned_ids(store: Store) -> set[str]:
    return {vid for vid in store.video_ids() if store.exists(store.video_path(vid, TOMBSTONE))}


def takedown_list(named: str | Path | None) -> Path | None:
    """The list a run uses: the one named, else the default list if this checkout has it (naming
    the default path counts as not naming one, so a caller may pass the default on)."""
    if named and Path(named) != DEFAULT_TAKEDOWN:
        return Path(named)
    return DEFAULT_TAKEDOWN if DEFAULT_TAKEDOWN.is_file() else None


def blocked_ids(store: Store, takedown: Path | None) -> set[str]:
    """Ids on the takedown list (which must exist when given) and every purged video."""
    listed = set(read_takedown(takedown)) if takedown is not None else set()
    return listed | tombstoned_ids(store)


def versions_containing(store: Store, name: str, video_ids: set[str]) -> dict[str, list[str]]:
    """Published versions that still hold any of these videos (their shards carry the images)."""
    found = {}
    for version in version_names(store, name):
        held = video_ids & set(VersionReader(store, name, version).pair_videos().values())
        if held:
            found[version] = sorted(held)
    return found


def purge_video(store: Store, video_id: str, reason: str = "") -> list[str]:
    """Delete a video's stored content, leaving its tombstone; returns the paths removed now."""
    folder = store.video_dir(video_id)
    tombstone_path = store.video_path(video_id, TOMBSTONE)
    previous = store.read_model(tombstone_path, Tombstone) if store.exists(tombstone_path) else None
    removing = [posixpath.relpath(p, store.root) for p in store.iter_files(folder) if p != tombstone_path]
    # The tombstone is written first: a purge cut short still blocks the video and can be re-run.
    store.write_json(tombstone_path, Tombstone(
        video_id=video_id,
        reason=reason or (previous.reason if previous else ""),
        purged_at=utc_now() if removing or previous is None else previous.purged_at,
        removed=sorted(set(removing) | set(previous.removed if previous else [])),
    ))
    for entry in store.fs.ls(folder, detail=False):
        if entry.rstrip("/") != tombstone_path:
            store.remove(entry)
    return removing


def purge_media(store: Store, video_ids: list[str], reasons: dict[str, str] | None = None) -> list[str]:
    """Delete all stored content of these videos, keep a tombstone each; returns the removed paths."""
    reasons = reasons or {}
    return [path for vid in video_ids for path in purge_video(store, vid, reasons.get(vid, ""))]
