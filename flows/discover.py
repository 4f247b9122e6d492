"""Prefect flow `discover`: list the sources, write the new candidates as a manifest in the
manifests folder, and curate them.

Each run that finds new videos adds one manifest, `discovered-<time>.csv`, so the folder keeps
what was found when, later runs (and the scheduled curation of the folder) see those videos as
known, and a run that finds nothing adds no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow

from curation.config import Settings, load_settings
from curation.ingest.discover import run_discovery
from curation.ingest.savings import triage_savings
from curation.store import Store
from curation.summary import RunSummary
from flows.curate import curate


@dataclass
class DiscoveryRun:
    kept: list[str]
    rejected: dict[str, str]  # id -> reason
    seen_before: int
    failed_sources: dict[str, str]
    manifest: str | None  # the manifest written, when anything was kept
    report: str
    curation: RunSummary | None = None


@flow(name="discover", log_prints=True)
def discover_videos(
    sources: list[str],
    manifests_dir: str = "manifests",
    data_root: str | None = None,
    config_file: str | None = None,
    takedown: str | None = None,
    curate_new: bool = True,
    build_dataset: bool = True,
    settings: Settings | None = None,
) -> DiscoveryRun:
    settings = settings or load_settings(Path(config_file) if config_file else None)
    data_root = data_root or settings.data_root
    out = Path(manifests_dir) / f"discovered-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.csv"
    result, report = run_discovery(sources, Store(data_root), settings, [Path(manifests_dir)], out, takedown)
    print(f"{len(result.kept)} new, {len(result.rejected)} rejected, {result.seen_before} seen before; "
          f"triage {result.triage_seconds:.1f} s, {result.bytes_not_downloaded} bytes not downloaded; report {report}")
    run = DiscoveryRun(
        kept=[c.video_id for c in result.kept],
        rejected={d.candidate.video_id: d.reason for d in result.rejected},
        seen_before=result.seen_before,
        failed_sources=result.failed_sources,
        manifest=str(out) if result.kept else None,
        report=report,
    )
    if curate_new and run.manifest:
        run.curation = curate(
            manifests=[run.manifest], data_root=data_root, settings=settings, takedown=takedown,
            build_dataset=build_dataset,
        )
    store = Store(data_root)
    print(triage_savings(store, settings.discover.triage.estimated_curation_s_per_video_s).describe())
    return run
