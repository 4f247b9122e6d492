"""Reading a built dataset version: which version, its pairs, its stats, its audit files."""

from __future__ import annotations

import io
import posixpath

import pyarrow.parquet as pq

from curation.store import Store

AUDIT_FILE = "audit.json"
REPORT_FILE = "report.html"
REVIEW_DB = "review.sqlite"


def resolve_version(store: Store, name: str, version: str | None) -> str:
    """The version asked for, or the one named in `<dataset dir>/latest`."""
    if version:
        return version
    latest = store.dataset_dir(name) + "/latest"
    if not store.exists(latest):
        raise FileNotFoundError(
            f"dataset '{name}' has no 'latest' file at {latest}; pass --version"
        )
    found = store.read_bytes(latest).decode().strip()
    if not found:
        raise ValueError(f"{latest} is empty; pass --version")
    return found


def version_dir(store: Store, name: str, version: str) -> str:
    folder = store.dataset_dir(name, version)
    if not store.exists(folder):
        raise FileNotFoundError(f"dataset version {folder} does not exist")
    return folder


def version_file(store: Store, name: str, version: str, file_name: str) -> str:
    return posixpath.join(version_dir(store, name, version), file_name)


def read_pairs(store: Store, name: str, version: str) -> list[dict]:
    path = version_file(store, name, version, "pairs.parquet")
    if not store.exists(path):
        raise FileNotFoundError(f"{path} does not exist: the version has no pair manifest")
    return pq.read_table(io.BytesIO(store.read_bytes(path))).to_pylist()


def read_stats(store: Store, name: str, version: str) -> dict:
    path = version_file(store, name, version, "stats.json")
    return store.read_json(path) if store.exists(path) else {}
