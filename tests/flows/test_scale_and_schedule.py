"""Scale-out on Dask and scheduled incremental curation through a real local Prefect server."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from curation.config import Settings
from curation.export.build import build_version
from curation.export.versions import version_names
from curation.stages import STAGE_NAMES
from curation.runtime import free_port
from curation.store import Store
from flows.curate import curate
from flows.runners import task_runner

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def pair_ids(data_root: Path, video_id: str) -> list[str]:
    lines = (data_root / "videos" / video_id / "pairs.jsonl").read_text().splitlines()
    return sorted(json.loads(line)["pair_id"] for line in lines)


def lecture_rows(manifest: Path) -> list[str]:
    return [row for row in manifest.read_text().splitlines()[1:] if "lecture-" in row]


def test_dask_runner_gives_the_same_pairs_as_threads(curated_demo, tmp_path):
    rows = lecture_rows(curated_demo.manifest)[:2]
    manifest = tmp_path / "two.csv"
    manifest.write_text("video_id,url\n" + "\n".join(rows) + "\n")
    data = tmp_path / "dask-data"
    flow = curate.with_options(task_runner=task_runner("dask", workers=2))
    summary = flow(manifests=[str(manifest)], data_root=str(data), build_dataset=False)
    assert summary.ok == 2 and summary.stages_run["asr"] == 2
    for row in rows:
        video_id = row.split(",")[0]
        assert pair_ids(data, video_id) == pair_ids(curated_demo.data_root, video_id)


@pytest.fixture()
def prefect_server(tmp_path):
    port = free_port()
    env = os.environ | {
        "PREFECT_HOME": str(tmp_path / "prefect-server"),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp_path}/prefect-server.db",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the local Prefect server did not start in 120 s")
    yield api
    os.killpg(server.pid, 15)
    server.wait(timeout=30)


def test_a_scheduled_run_picks_up_a_new_lecture_and_nothing_else(curated_demo, curated_copy, tmp_path, prefect_server):
    rows = lecture_rows(curated_demo.manifest)
    new_id = rows[-1].split(",")[0]
    shutil.rmtree(curated_copy / "videos" / new_id)
    shutil.rmtree(curated_copy / "datasets")
    store = Store(curated_copy)
    first = build_version(store, Settings())
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "lectures.csv").write_text("video_id,url\n" + "\n".join(rows) + "\n")
    old_status = {p: p.read_text() for p in (curated_copy / "videos").glob("*/status/*.json")}

    env = os.environ | {"PREFECT_API_URL": prefect_server, "PREFECT_HOME": str(tmp_path / "prefect-client")}
    serve_log = tmp_path / "serve.log"
    serve = subprocess.Popen(
        [str(BIN / "curate"), "serve", "--manifests-dir", str(manifests), "--data", str(curated_copy),
         "--cron", "0 0 1 1 *", "--name", "nightly"],
        cwd=ROOT, env=env, stdout=serve_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            found = httpx.post(f"{prefect_server}/deployments/filter", json={"deployments": {"name": {"any_": ["nightly"]}}})
            if found.json():
                break
            time.sleep(1)
        deployment = found.json()[0]
        assert deployment["schedules"][0]["schedule"]["cron"] == "0 0 1 1 *"
        run = subprocess.run(
            [str(BIN / "prefect"), "deployment", "run", "curate/nightly", "--watch", "--watch-timeout", "600"],
            env=env, capture_output=True, text=True, timeout=660,
        )
        assert run.returncode == 0, run.stdout + run.stderr + serve_log.read_text()[-5000:]
    finally:
        os.killpg(serve.pid, 15)
        serve.wait(timeout=60)

    assert {p: p.read_text() for p in old_status} == old_status, "finished lectures were not touched"
    assert {s: st.state for s, st in store.statuses(new_id).items()} == dict.fromkeys(STAGE_NAMES, "done")
    versions = version_names(store, "histo-pairs")
    assert versions == [first.version, "v0002"], "the run added exactly one version after the first"
    diff = json.loads((Path(store.dataset_dir("histo-pairs", "v0002")) / "diff.json").read_text())
    assert diff["previous"] == first.version and diff["videos_added"] == [new_id]
