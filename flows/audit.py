"""Prefect flow `audit`: measure a dataset version's pair quality and write its HTML report."""

# No `from __future__ import annotations`: Prefect builds a pydantic model of the parameters, and
# in flow runs of a deployment (`curate serve`) it failed to resolve `Settings` given as a string.
from pathlib import Path

from prefect import flow

from curation.audit.metrics import audit_version
from curation.audit.report import write_report
from curation.config import Settings, load_settings
from curation.export.versions import VersionReader, existing_store


@flow(name="audit", log_prints=True)
def audit_dataset(
    data_root: str | None = None,
    name: str | None = None,
    version: str | None = None,
    config_file: str | None = None,
    settings: Settings | None = None,
) -> str:
    """Defaults: the settings' data root and dataset, and its latest version. `settings` (from a
    calling flow) wins over `config_file` (for deployments)."""
    settings = settings or load_settings(Path(config_file) if config_file else None)
    store = existing_store(data_root or settings.data_root)
    reader = VersionReader(store, name or settings.export.dataset, version)
    audit_version(reader, settings)
    report = write_report(reader)
    print(f"audit report: {report}")
    return report
