"""Quality of a whole curation run, scored against the demo lectures' ground truth.

    .venv/bin/python bench/quality.py [--data .cache/bench/quality] [--fresh]

Builds and serves the demo lectures, runs the real `curate` flow over them (stages already done in
the data folder are reused unless --fresh), then prints: slide recall, keyframes per slide,
histology precision/recall of the kept frames, whether every histology slide (and no other) gave
pairs, alignment precision, medical-term accuracy of captions against the raw ASR text, the share of
captions where correction introduced a wrong term, and near-duplicates left. `bench/classifier.py`
and `bench/text_quality.py` measure the classifier and the text stage on their own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")


def curate_demo(data: Path, demo_dir: Path) -> tuple[float, float, str]:
    """Curate the demo lectures, then build a dataset version of them:
    (seconds curating, seconds building the version, version folder)."""
    from curation.demo.build import build_demo_lectures
    from curation.demo.server import serve_directory
    from curation.ingest.manifest import write_manifest
    from curation.records import VideoRef
    from curation.runtime import prepare_environment

    prepare_environment(str(data))
    from flows.curate import curate
    from flows.dataset import build_dataset_version

    build_demo_lectures(demo_dir)
    with serve_directory(demo_dir) as base_url:
        manifest = data / "bench-manifest.csv"
        ids = [p.name.removesuffix(".truth.json") for p in sorted(demo_dir.glob("*.truth.json"))]
        write_manifest(manifest, [VideoRef(v, f"{base_url}/{v}.mp4") for v in ids])
        started = time.perf_counter()
        curate(manifests=[str(manifest)], data_root=str(data), build_dataset=False)
        curated = time.perf_counter()
        version = build_dataset_version(data_root=str(data))
        return curated - started, time.perf_counter() - curated, version.path


def near_duplicates_left(store, video_ids: list[str], max_distance: int) -> int:
    import imagehash

    from curation.records import Keyframes

    left = 0
    for vid in video_ids:
        kept = [kf for kf in store.load(vid, Keyframes).keyframes if kf.duplicate_of is None]
        hashes = [imagehash.hex_to_hash(kf.phash) for kf in kept]
        left += sum(hashes[i] - hashes[j] <= max_distance for i in range(len(hashes)) for j in range(i))
    return left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / ".cache" / "bench" / "quality")
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo")
    parser.add_argument("--fresh", action="store_true", help="recompute every stage")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(args.data, ignore_errors=True)
    args.data.mkdir(parents=True, exist_ok=True)
    seconds, build_seconds, dataset_path = curate_demo(args.data, args.demo_dir)

    from curation.config import load_settings
    from curation.demo.scoring import score_run
    from curation.demo.truth import load_truth
    from curation.store import Store

    settings = load_settings()
    store = Store(args.data)
    truths = [load_truth(p) for p in sorted(args.demo_dir.glob("*.truth.json"))]
    score = score_run(store, truths, dataset_path, settings.vision.histology_threshold)

    console = Console()
    table = Table(title="per lecture")
    for column in ("lecture", "slides", "slide recall", "kf/slide", "hist tp/fp/fn", "pairs", "aligned", "terms ok/raw/all"):
        table.add_column(column)
    for s in score.lectures:
        table.add_row(s.video_id, str(s.slides), f"{s.slide_recall:.2f}", f"{s.keyframes_per_slide:.2f}",
                      f"{s.histology_tp}/{s.histology_fp}/{s.histology_fn}", str(s.pairs), str(s.aligned_pairs),
                      f"{s.terms_in_captions}/{s.terms_in_raw_captions}/{s.terms}")
    console.print(table)
    figures = score.figures()
    figures["near_duplicates_left"] = near_duplicates_left(store, [t.video_id for t in truths], settings.frames.dedup_hamming)
    audio = sum(t.duration_s for t in truths)
    figures["curate_seconds"] = round(seconds, 1)
    figures["x_real_time"] = round(audio / seconds, 1)
    figures["version_build_seconds"] = round(build_seconds, 1)
    summary = Table(title="run figures")
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    for key, value in figures.items():
        summary.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(summary)


if __name__ == "__main__":
    main()
