"""End to end: the real curate flow over the demo lectures served on a local HTTP server."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq

from curation.demo.truth import load_truth
from curation.evaluation.pairs import score_run
from curation.stages import STAGE_NAMES
from curation.store import Store
from flows.curate import curate

ROOT = Path(__file__).resolve().parents[2]


def test_every_demo_lecture_is_curated_and_the_broken_one_is_recorded(curated_demo, demo_dir):
    summary = curated_demo.summary
    outcomes = {v.video_id: v for v in summary.videos}
    lectures = sorted(p.name.removesuffix(".truth.json") for p in Path(demo_dir).glob("*.truth.json"))
    assert len(lectures) >= 3
    assert all(outcomes[v].ok for v in lectures)
    missing = outcomes["missing-lecture"]
    assert not missing.ok and missing.failed_stage == "fetch" and "404" in missing.reason
    assert summary.total("pairs") > 0 and summary.stages_run["asr"] == len(lectures)
    assert summary.total("candidate_pairs") > summary.total("pairs"), "raw sentences and other frames stay candidates"

    table = pq.read_table(Path(summary.dataset_path) / "pairs.parquet")
    assert table.num_rows == summary.total("pairs")
    assert set(table.column("video_id").to_pylist()) == set(lectures)
    assert Path(summary.report_path).is_file()


def test_pairs_meet_the_quality_bar_of_the_demo_ground_truth(curated_demo, demo_dir):
    truths = [load_truth(p) for p in sorted(Path(demo_dir).glob("*.truth.json"))]
    store = Store(curated_demo.data_root)
    figures = score_run(store, truths, curated_demo.summary.dataset_path).figures()
    # live ASR, so the bar holds across CPUs: over CT2_FORCE_CPU_ISA=GENERIC, AVX and AVX2, two runs
    # each, tiny.en recognised 0.968-0.989 of the demo sentences (worst lecture 0.935;
    # bench/asr_spread.py), and the one missed histology picture of 18 seen on another machine
    # (0.944) came with the glossary hotwords, now off. The version's text-confidence cut drops
    # captions too (0.833 here at the default cut of 0.4; 0.722-0.889 over the four instruction
    # sets on an AMD EPYC, whose kernels hear otherwise), so the bar allows five of 18 pictures
    # without one
    assert figures["histology_slides_with_pairs"] >= 0.7, figures
    assert figures["other_slides_with_pairs"] == 0, figures
    assert figures["alignment_precision"] >= 0.95, figures
    # the caption targets (measured 0.932, 0.974 and 0 on AVX-512; they hold with GENERIC,
    # AVX and AVX2 too, on an AMD EPYC at 0.870-0.923, 0.968-0.987 and 0-0.030)
    assert figures["term_accuracy_kept_captions"] >= 0.85, figures
    assert figures["caption_words_said"] >= 0.95, figures
    assert figures["garbled_captions"] <= 0.05, figures


def test_pairs_carry_provenance_of_every_model_and_config(curated_demo):
    store = Store(curated_demo.data_root)
    video_id = next(v.video_id for v in curated_demo.summary.videos if v.ok)
    first = json.loads(Path(store.video_path(video_id, "pairs.jsonl")).read_text().splitlines()[0])
    provenance = first["provenance"]
    assert provenance["asr_model"].startswith("faster-whisper:tiny.en")
    assert {"frame_extractor", "classifier", "refiner", "config:asr", "config:keyframes"} <= provenance.keys()


def test_rerunning_the_manifest_runs_no_finished_stage_again(curated_demo):
    store = Store(curated_demo.data_root)
    failed_before = store.statuses("missing-lecture")["fetch"]
    time.sleep(1.1)  # status times have a resolution of one second
    summary = curate(manifests=[str(curated_demo.manifest)], data_root=str(curated_demo.data_root),
                     build_dataset=False)
    assert sum(summary.stages_run.values()) == 0, summary.stages_run
    failed_after = store.statuses("missing-lecture")["fetch"]
    assert failed_after.state == "failed" and failed_after.finished_at > failed_before.finished_at, \
        "the failed video is tried again"


def test_a_killed_run_resumes_without_redoing_finished_stages(curated_demo, tmp_path):
    """Kill `curate run` once a transcript exists, run it again, and check nothing finished ran twice."""
    manifest = tmp_path / "one.csv"
    manifest.write_text("\n".join(curated_demo.manifest.read_text().splitlines()[:2]) + "\n")
    video_id = manifest.read_text().splitlines()[1].split(",")[0]
    data = tmp_path / "data"
    command = [str(Path(sys.executable).parent / "curate"), "run", "--manifest", str(manifest),
               "--data", str(data), "--no-dataset"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    status_dir = data / "videos" / video_id / "status"
    deadline = time.time() + 300
    while not (status_dir / "asr.json").exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.name: p.read_text() for p in status_dir.glob("*.json")}
    assert "asr.json" in before

    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    after = {p.name: p.read_text() for p in status_dir.glob("*.json")}
    assert set(after) == {f"{name}.json" for name in STAGE_NAMES}
    for name, text in before.items():
        if json.loads(text)["state"] == "done":
            assert after[name] == text, f"{name} ran again after the resume"
    assert not list((data / "videos" / video_id).rglob(".tmp-*"))
    assert not list((data / "videos" / video_id).glob(".staging-*"))


def test_a_new_video_enters_when_any_video_in_flight_finishes_not_only_the_oldest():
    from prefect import flow, task

    from flows.curate import first_finished

    release = threading.Event()

    @task
    def held() -> str:
        assert release.wait(120), "never released"
        return "held"

    @task
    def quick() -> str:
        return "quick"

    @flow
    def two_videos() -> tuple[str, str]:
        oldest, newer = [held.submit()], [quick.submit(), quick.submit()]
        finished = first_finished([oldest, newer])
        still_running = not oldest[0].state.is_final()
        release.set()
        return ("newer" if finished is newer else "oldest"), str(still_running)

    assert two_videos() == ("newer", "True")
