"""Runs are deterministic: the same manifest, settings and machine give byte-identical transcripts
and the same pair ids, with one video in flight or two (each with two transcriptions per model)."""

from pathlib import Path

import pyarrow.parquet as pq

from curation.records import Pair
from curation.store import Store
from flows.curate import curate


def _pair_ids(store: Store, video_id: str) -> list[str]:
    return [p.pair_id for p in store.read_jsonl(store.video_path(video_id, "pairs.jsonl"), Pair)]


def _version_pair_ids(dataset_path: str) -> list[str]:
    return sorted(pq.read_table(Path(dataset_path) / "pairs.parquet", columns=["pair_id"]).column("pair_id").to_pylist())


def test_one_and_two_videos_at_once_give_identical_transcripts_and_pairs(curated_demo, demo_manifest, tmp_path):
    video_ids = [row.split(",")[0] for row in Path(demo_manifest).read_text().splitlines()[1:]]
    one_at_once = curate(manifests=[str(demo_manifest)], data_root=str(tmp_path / "data"), videos_at_once=1)
    first, second = Store(curated_demo.data_root), Store(tmp_path / "data")  # the fixture ran two at once

    assert len(video_ids) >= 3
    for video_id in video_ids:
        transcript = Path(second.video_path(video_id, "transcript.json")).read_bytes()
        assert transcript == Path(first.video_path(video_id, "transcript.json")).read_bytes(), video_id
        assert _pair_ids(second, video_id) == _pair_ids(first, video_id), video_id
    shipped = _version_pair_ids(one_at_once.dataset_path)
    assert shipped and shipped == _version_pair_ids(curated_demo.summary.dataset_path)
