"""Prefect flow `build-dataset`: a dataset version from stored artifacts; nothing is recomputed."""

# No `from __future__ import annotations`: Prefect builds a pydantic model of the parameters, and
# in flow runs of a deployment (`curate serve`) it failed to resolve `Settings` given as a string.
from pathlib import Path

from prefect import flow

from curation.config import Settings, load_settings, with_overrides
from curation.export.build import build_version
from curation.export.takedown import takedown_list
from curation.export.versions import DatasetVersion
from curation.store import Store


@flow(name="build-dataset", log_prints=True)
def build_dataset_version(
    data_root: str | None = None,
    config_file: str | None = None,
    version: str | None = None,
    takedown: str | None = None,
    overrides: dict | None = None,
    settings: Settings | None = None,
) -> DatasetVersion:
    """`settings` (from a calling flow) wins over `config_file` (for deployments). `takedown` None
    uses manifests/takedown.csv if present; a named list must exist."""
    settings = settings or load_settings(Path(config_file) if config_file else None)
    if overrides:
        settings = with_overrides(settings, overrides)
    store = Store(data_root or settings.data_root)
    built = build_version(store, settings, version=version, takedown=takedown_list(takedown))
    print(f"dataset {built.name} {built.version}: {built.path}")
    return built
