"""A run on a shared object store: an S3 API server (moto) on loopback as the data root, the Dask
runner with two worker processes, and the same pairs as the local run; then `curate dataset build`
on the bucket gives the version a local build of the same two videos gives."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import s3fs
from moto.server import ThreadedMotoServer
from typer.testing import CliRunner

from curation.cli import app
from curation.export.versions import VersionReader
from curation.runtime import free_port
from curation.store import Store
from flows.curate import curate
from flows.runners import task_runner
from tests.flows.test_scale_and_schedule import lecture_rows, pair_ids

BUCKET = "curation-test"
pytestmark = pytest.mark.slow


@pytest.fixture()
def s3_endpoint(monkeypatch) -> Iterator[str]:
    """An empty bucket on a local S3 server. The settings are environment variables, as on a real
    cluster, so the Dask worker processes (which inherit them) reach the same server."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    s3fs.S3FileSystem.clear_instance_cache()  # no cached client bound to an earlier server
    try:
        yield endpoint
    finally:
        server.stop()


def s3_pair_ids(store: Store, video_id: str) -> list[str]:
    lines = store.read_bytes(store.video_path(video_id, "pairs.jsonl")).decode().splitlines()
    return sorted(json.loads(line)["pair_id"] for line in lines)


def built_version(data_root: str) -> VersionReader:
    """`curate dataset build` on `data_root`, and the version it made."""
    result = CliRunner().invoke(app, ["dataset", "build", "--data", data_root])
    assert result.exit_code == 0, result.output
    store = Store(data_root)
    return VersionReader(store, "histo-pairs")


def local_copy(data_root: Path, video_ids: list[str], target: Path) -> str:
    for video_id in video_ids:
        shutil.copytree(data_root / "videos" / video_id, target / "videos" / video_id)
    return str(target)


def version_rows(reader: VersionReader) -> list[tuple]:
    return sorted((p.pair_id, p.video_id, p.split, p.caption) for p in reader.pairs())


def test_a_dask_run_on_s3_gives_the_same_pairs_and_dataset_as_a_local_run(curated_demo, s3_endpoint, tmp_path):
    rows = lecture_rows(curated_demo.manifest)[:2]
    manifest = tmp_path / "two.csv"
    manifest.write_text("video_id,url\n" + "\n".join(rows) + "\n")
    data_root = f"s3://{BUCKET}/curation"

    flow = curate.with_options(task_runner=task_runner("dask", workers=2))
    summary = flow(manifests=[str(manifest)], data_root=data_root, build_dataset=False)

    assert summary.ok == 2 and summary.stages_run["asr"] == 2
    store = Store(data_root)
    assert not store.is_local
    for row in rows:
        video_id = row.split(",")[0]
        local = pair_ids(curated_demo.data_root, video_id)
        assert local, f"the local run made no pairs for {video_id}"
        assert s3_pair_ids(store, video_id) == local
        assert store.exists(store.video_path(video_id, "video.mp4")), "the media went to the bucket"

    on_s3 = built_version(data_root)
    video_ids = [row.split(",")[0] for row in rows]
    local = built_version(local_copy(curated_demo.data_root, video_ids, tmp_path / "local"))
    assert on_s3.pairs(), "the version on the bucket has pairs"
    assert {p.video_id for p in on_s3.pairs()} == set(video_ids)
    assert version_rows(on_s3) == version_rows(local)
    for name in ("pairs.parquet", "train.csv", "stats.json", "card.md", "version.json"):
        assert store.exists(on_s3.path(name)), f"{name} is in the bucket"
    assert [p for p in store.iter_files(on_s3.path("shards")) if p.endswith(".tar")], "webdataset shards in the bucket"
