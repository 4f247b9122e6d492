"""Dataset versions on disk: names, the `latest` pointer, the version record, atomic publishing,
and `VersionReader`, the one way to read a published version back.

A version is built in a staging folder and moved into place whole; `version.json` is its
commit mark (written last where a store has no atomic rename), so readers ignore half versions.
Builds of one dataset hold a lock, so a staging folder found while holding it belongs to a build
that was killed, and is removed.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import fsspec
from filelock import FileLock
from pydantic import BaseModel

from curation.audit.record import Audit
from curation.export.parquet import read_rows
from curation.export.stats import DatasetStats
from curation.records import Pair
from curation.store import LOCKS_DIR, Store

VERSION_RECORD = "version.json"
PAIRS_FILE = "pairs.parquet"
DROPPED_FILE = "dropped.parquet"
STATS_FILE = "stats.json"
DIFF_FILE = "diff.json"
CARD_FILE = "card.md"
AUDIT_FILE = "audit.json"
REPORT_FILE = "report.html"
REVIEW_DB = "review.sqlite"
LATEST = "latest"
STAGING_PREFIX = ".tmp-"
AUTO_NAME = re.compile(r"v(\d+)")


class NoDataset(ValueError):
    """No data root, no published version, or not the version asked for."""


class DatasetVersion(BaseModel):
    name: str
    version: str
    path: str
    created_at: str
    previous: str | None = None
    config_hash: str  # of the BuildConfig
    inputs_hash: str = ""  # of what the build selected and wrote; empty in versions built before it existed
    counts: dict[str, int]
    config: dict = {}  # the BuildConfig it was built with; empty in versions built before it was kept


class VersionPair(Pair):
    """A pair as a version ships it: with its split and the shard that holds it."""

    split: str
    shard: str


class DroppedPair(Pair):
    """A stored pair a version left out, with the check it failed first."""

    reason: str


def existing_store(root: str | Path, looked_for: str = "dataset") -> Store:
    """The store at `root`, which must exist already: reading a dataset never creates a folder."""
    fs, path = fsspec.core.url_to_fs(str(root))
    if not fs.exists(path):
        raise NoDataset(f"no {looked_for} in {root}: the folder does not exist")
    return Store(root)


def version_names(store: Store, name: str) -> list[str]:
    """Published versions of a dataset, oldest first."""
    folder = store.dataset_dir(name)
    if not store.exists(folder):
        return []
    versions = [
        posixpath.basename(entry.rstrip("/"))
        for entry in store.fs.ls(folder, detail=False)
        if store.exists(posixpath.join(entry, VERSION_RECORD))
    ]
    records = [read_version(store, name, version) for version in versions]
    return [r.version for r in sorted(records, key=lambda r: (r.created_at, r.version))]


def next_version(store: Store, name: str) -> str:
    folder = store.dataset_dir(name)
    entries = store.fs.ls(folder, detail=False) if store.exists(folder) else []
    taken = [posixpath.basename(e.rstrip("/")) for e in entries]
    numbers = [int(m.group(1)) for t in taken if (m := AUTO_NAME.fullmatch(t))]
    return f"v{max(numbers, default=0) + 1:04d}"


def latest_version(store: Store, name: str) -> str | None:
    pointer = posixpath.join(store.dataset_dir(name), LATEST)
    if not store.exists(pointer):
        return None
    return store.read_bytes(pointer).decode().strip() or None


def set_latest(store: Store, name: str, version: str) -> None:
    store.write_text(posixpath.join(store.dataset_dir(name), LATEST), version + "\n")


def read_version(store: Store, name: str, version: str) -> DatasetVersion:
    path = posixpath.join(store.dataset_dir(name, version), VERSION_RECORD)
    if not store.exists(path):
        known = ", ".join(version_names(store, name)) or "none"
        raise NoDataset(f"dataset {name} has no version {version!r} (versions: {known})")
    return store.read_model(path, DatasetVersion)


def build_lock(store: Store, name: str) -> contextlib.AbstractContextManager:
    """Held for a whole build of a dataset, so two builds never race for a version name.
    Object stores have no file locks: builds there must not overlap."""
    if not store.is_local:
        return contextlib.nullcontext()
    path = Path(store.join(LOCKS_DIR, "datasets", f"{name}.lock"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(path)


def remove_stale_staging(store: Store, name: str) -> list[str]:
    """Remove what killed builds left: staging entries, and (object stores) version folders whose
    upload stopped before `version.json`. Call it only while holding `build_lock`."""
    folder = store.dataset_dir(name)
    if not store.exists(folder):
        return []
    stale = [
        entry["name"]
        for entry in store.fs.ls(folder, detail=True)
        if posixpath.basename(entry["name"].rstrip("/")).startswith(STAGING_PREFIX)
        or (entry["type"] == "directory" and not store.exists(posixpath.join(entry["name"], VERSION_RECORD)))
    ]
    for path in stale:
        store.remove(path)
    return stale


@contextmanager
def staged_version(store: Store, name: str, version: str) -> Iterator[Path]:
    """A local folder to write the version into; published as a whole when the block succeeds."""
    final = store.dataset_dir(name, version)
    if store.exists(final):
        raise ValueError(f"dataset version {name}/{version} already exists at {final}; pick another version")
    if store.is_local:
        parent = store.local_path(store.dataset_dir(name))
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=STAGING_PREFIX))
    else:
        staging = Path(tempfile.mkdtemp(prefix="dataset-"))
    try:
        yield staging
        publish(store, staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(store: Store, staging: Path, final: str) -> None:
    if store.is_local:
        staging.chmod(0o755)  # mkdtemp makes it private
        os.rename(staging, final)
        return
    files = sorted(p for p in staging.rglob("*") if p.is_file() and p.name != VERSION_RECORD)
    for path in [*files, staging / VERSION_RECORD]:
        store.fs.put_file(str(path), posixpath.join(final, path.relative_to(staging).as_posix()))


class VersionReader:
    """One published version of a dataset: its record, pairs, stats and audit, typed."""

    def __init__(self, store: Store, name: str, version: str | None = None):
        """`version` None means the dataset's latest; NoDataset when there is none."""
        self.store, self.name = store, name
        self.version = version or latest_version(store, name)
        if self.version is None:
            raise NoDataset(f"no dataset in {store.root}: {name} has no published version")
        self._record = read_version(store, name, self.version)
        self.folder = store.dataset_dir(name, self.version)

    @classmethod
    def at(cls, store: Store, path: str) -> VersionReader:
        """The version whose folder is `path` (`<root>/datasets/<name>/<version>`)."""
        parent, version = posixpath.split(path.rstrip("/"))
        return cls(store, posixpath.basename(parent), version)

    def path(self, file_name: str) -> str:
        return posixpath.join(self.folder, file_name)

    def has(self, file_name: str) -> bool:
        return self.store.exists(self.path(file_name))

    def record(self) -> DatasetVersion:
        return self._record

    def _rows(self, columns: list[str] | None = None) -> list[dict]:
        with self.store.fs.open(self.path(PAIRS_FILE), "rb") as fh:
            return read_rows(fh, columns)

    def pairs(self) -> list[VersionPair]:
        return [VersionPair.model_validate(row) for row in self._rows()]

    def dropped(self, reason: str | None = None) -> list[DroppedPair]:
        """The pairs the version left out (of one check, if named); none for versions without the file."""
        if not self.has(DROPPED_FILE):
            return []
        with self.store.fs.open(self.path(DROPPED_FILE), "rb") as fh:
            rows = read_rows(fh)
        return [DroppedPair.model_validate(row) for row in rows if reason in (None, row["reason"])]

    def pair_videos(self) -> dict[str, str]:
        """pair id -> video id, reading only those two columns."""
        return {row["pair_id"]: row["video_id"] for row in self._rows(["pair_id", "video_id"])}

    def stats(self) -> DatasetStats:
        return self.store.read_model(self.path(STATS_FILE), DatasetStats)

    def audit(self) -> Audit:
        if not self.has(AUDIT_FILE):
            raise FileNotFoundError(
                f"{self.path(AUDIT_FILE)} does not exist; run the audit of {self.name}/{self.version} first"
            )
        return self.store.read_model(self.path(AUDIT_FILE), Audit)
