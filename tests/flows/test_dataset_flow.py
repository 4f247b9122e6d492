"""Dataset versions through the Prefect flows `build-dataset` and `audit`."""

import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from curation.config import Settings
from curation.export.versions import version_names
from curation.store import Store
from flows.audit import audit_dataset
from flows.dataset import build_dataset_version
from tests.export.conftest import add_video


def snapshot(data_root: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time) of every file a stage wrote: any stage that ran would change one."""
    return {str(p.relative_to(data_root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted((data_root / "videos").rglob("*")) if p.is_file()}


def rows(version) -> list[dict]:
    return pq.read_table(Path(version.path) / "pairs.parquet").to_pylist()


@pytest.fixture
def small_store(tmp_path) -> Store:
    store = Store(tmp_path / "data")
    for seed, video_id in enumerate(("lec-a", "lec-b")):
        add_video(store, video_id, seed)
    return store


def test_new_thresholds_make_a_new_version_and_no_stage_runs_again(curated_copy):
    before = snapshot(curated_copy)
    base = build_dataset_version(data_root=str(curated_copy))

    started = time.perf_counter()
    wider = build_dataset_version(data_root=str(curated_copy), overrides={"export": {"text_types": ["med", "roi", "raw"]}})
    scores = sorted({r["histology_score"] for r in rows(base)})
    cut = scores[len(scores) // 2]  # a threshold the demo's own scores straddle
    stricter = build_dataset_version(data_root=str(curated_copy), overrides={"export": {"min_histology_score": cut}})
    print(f"two rebuilds of the demo dataset: {time.perf_counter() - started:.1f} s")

    assert snapshot(curated_copy) == before, "a rebuild reads the store and never runs a stage"
    assert (wider.previous, stricter.previous) == (base.version, wider.version)
    assert wider.counts["pairs"] > base.counts["pairs"] > stricter.counts["pairs"]
    assert {r["text_type"] for r in rows(wider)} == {"med", "roi", "raw"}
    assert {r["text_type"] for r in rows(base)} <= {"med", "roi"}
    assert len(scores) > 2 and rows(stricter)
    assert min(r["histology_score"] for r in rows(stricter)) >= cut
    assert wider.counts["added"] == wider.counts["pairs"] - base.counts["pairs"]
    assert wider.counts["removed"] == 0


def test_a_mistyped_takedown_list_stops_the_flow(small_store, tmp_path):
    missing = tmp_path / "takedwon.csv"
    with pytest.raises(FileNotFoundError, match=f"takedown list {missing} does not exist"):
        build_dataset_version(data_root=small_store.root, takedown=str(missing))
    assert version_names(small_store, "histo-pairs") == []


def test_the_flows_use_the_settings_object_they_are_given(small_store, tmp_path):
    config = tmp_path / "other.toml"
    config.write_text('[export]\ndataset = "from-the-file"\n')
    given = Settings(export={"dataset": "from-the-caller"})
    built = build_dataset_version(data_root=small_store.root, config_file=str(config), settings=given)
    assert built.name == "from-the-caller"
    report = audit_dataset(small_store.root, built.name, built.version, str(config), settings=given)
    assert Path(report) == Path(built.path) / "report.html" and Path(report).is_file()


def test_the_audit_flow_defaults_to_the_latest_version_and_refuses_a_missing_root(small_store, tmp_path):
    built = build_dataset_version(data_root=small_store.root)
    assert Path(audit_dataset(small_store.root)).parent == Path(built.path)
    missing = tmp_path / "no-such-root"
    with pytest.raises(ValueError, match=f"no dataset in {missing}"):
        audit_dataset(str(missing))
    assert not missing.exists()
