"""Prefect flow `build-manifest`: a new dataset version from stored artifacts; nothing is recomputed."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from curation.config import load_settings, with_overrides
from curation.export.build import DatasetVersion, build_version
from curation.store import Store


@flow(name="build-manifest", log_prints=True)
def build_manifest(
    data_root: str | None = None,
    config_file: str | None = None,
    version: str | None = None,
    takedown: str | None = "manifests/takedown.csv",
    overrides: dict | None = None,
) -> DatasetVersion:
    settings = load_settings(Path(config_file) if config_file else None)
    if overrides:
        settings = with_overrides(settings, overrides)
    store = Store(data_root or settings.data_root)
    takedown_path = Path(takedown) if takedown and Path(takedown).is_file() else None
    built = build_version(store, settings, version=version, takedown=takedown_path)
    print(f"dataset {built.name} {built.version}: {built.path}")
    return built
