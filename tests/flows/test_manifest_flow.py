"""A new dataset version from the stored artifacts of a real curation, through the Prefect flow."""

import time
from pathlib import Path

import pyarrow.parquet as pq

from flows.manifest import build_manifest


def snapshot(data_root: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time) of every file a stage wrote: any stage that ran would change one."""
    return {str(p.relative_to(data_root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted((data_root / "videos").rglob("*")) if p.is_file()}


def rows(version) -> list[dict]:
    return pq.read_table(Path(version.path) / "pairs.parquet").to_pylist()


def test_new_thresholds_make_a_new_version_and_no_stage_runs_again(curated_copy):
    before = snapshot(curated_copy)
    base = build_manifest(data_root=str(curated_copy))

    started = time.perf_counter()
    wider = build_manifest(data_root=str(curated_copy), overrides={"export": {"text_types": ["med", "roi", "raw"]}})
    stricter = build_manifest(data_root=str(curated_copy), overrides={"export": {"min_histology_score": 0.999}})
    print(f"two rebuilds of the demo dataset: {time.perf_counter() - started:.1f} s")

    assert snapshot(curated_copy) == before, "a rebuild reads the store and never runs a stage"
    assert (wider.previous, stricter.previous) == (base.version, wider.version)
    assert wider.counts["pairs"] > base.counts["pairs"] > stricter.counts["pairs"]
    assert {r["text_type"] for r in rows(wider)} == {"med", "roi", "raw"}
    assert {r["text_type"] for r in rows(base)} <= {"med", "roi"}
    assert min(r["histology_score"] for r in rows(stricter)) >= 0.999
    assert wider.counts["added"] == wider.counts["pairs"] - base.counts["pairs"]
    assert wider.counts["removed"] == 0
