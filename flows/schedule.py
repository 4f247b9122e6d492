"""Scheduled, incremental curation: a cron deployment of the curate flow over a folder of manifests.

Every run re-reads the manifests, so new video IDs are picked up; finished stages are current in
the store and skipped, so only new or changed work runs, and a dataset version is built only then.
"""

from __future__ import annotations

from pathlib import Path

from flows.curate import curate


def serve_schedule(manifests_dir: Path, data_root: str, cron: str, name: str = "scheduled-curation") -> None:
    curate.serve(
        name=name,
        cron=cron,
        parameters={
            "manifests": [str(Path(manifests_dir).resolve())],
            "data_root": data_root,
            "only_if_changed": True,
        },
    )
