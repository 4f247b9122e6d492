"""Prefect flow `audit`: measure a dataset version's pair quality and write its HTML report."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from curation.audit.metrics import audit_version
from curation.audit.report import write_report
from curation.config import load_settings
from curation.store import Store


@flow(name="audit", log_prints=True)
def audit_dataset(data_root: str, name: str, version: str, config_file: str | None = None) -> str:
    settings = load_settings(Path(config_file) if config_file else None)
    store = Store(data_root)
    audit_version(store, name, version, settings)
    report = str(write_report(store, name, version))
    print(f"audit report: {report}")
    return report
