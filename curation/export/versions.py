"""Dataset versions on disk: names, the `latest` pointer, the version record, atomic publishing.

A version is built in a staging folder and moved into place whole; `version.json` is its
commit mark (written last where a store has no atomic rename), so readers ignore half versions.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from curation.store import Store

VERSION_RECORD = "version.json"
LATEST = "latest"
AUTO_NAME = re.compile(r"v(\d+)")


class DatasetVersion(BaseModel):
    name: str
    version: str
    path: str
    created_at: str
    previous: str | None = None
    config_hash: str
    counts: dict[str, int]


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
    return store.read_bytes(pointer).decode().strip() if store.exists(pointer) else None


def set_latest(store: Store, name: str, version: str) -> None:
    store.write_text(posixpath.join(store.dataset_dir(name), LATEST), version + "\n")


def read_version(store: Store, name: str, version: str) -> DatasetVersion:
    path = posixpath.join(store.dataset_dir(name, version), VERSION_RECORD)
    if not store.exists(path):
        known = ", ".join(version_names(store, name)) or "none"
        raise ValueError(f"dataset {name} has no version {version!r} (versions: {known})")
    return store.read_model(path, DatasetVersion)


@contextmanager
def staged_version(store: Store, name: str, version: str) -> Iterator[Path]:
    """A local folder to write the version into; published as a whole when the block succeeds."""
    final = store.dataset_dir(name, version)
    if store.exists(final):
        raise ValueError(f"dataset version {name}/{version} already exists at {final}; pick another version")
    if store.is_local:
        parent = store.local_path(store.dataset_dir(name))
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=".tmp-"))
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
