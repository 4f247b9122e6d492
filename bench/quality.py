"""Quality of a whole curation run, scored against the demo lectures' ground truth.

    .venv/bin/python bench/quality.py [--corpus demo|hard|all] [--data .cache/bench/quality] [--fresh]

Per corpus (`demo`: the three clean lectures; `hard`: five short lectures with eponyms, special
stains and markers under background music, mains hum and noise, fast speech and 32 kb/s audio),
builds and serves the lectures, runs the real `curate` flow over their pages (stages already done in
the corpus's data folder are reused unless --fresh), then prints: sentences recognised (half their
words heard within their time) per lecture and for the worst one, slide recall, keyframes per slide,
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

from curation.demo.scripts import CORPORA

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")


def curate_demo(data: Path, demo_dir: Path, corpus: str) -> tuple[float, float, str]:
    """Curate the lectures of `corpus`, then build a dataset version of them:
    (seconds curating, seconds building the version, version folder)."""
    from curation.demo.build import build_demo_lectures
    from curation.demo.page import page_url
    from curation.demo.server import serve_directory
    from curation.ingest.manifest import write_manifest
    from curation.records import VideoRef
    from curation.runtime import prepare_environment

    prepare_environment(str(data))
    from flows.curate import curate
    from flows.dataset import build_dataset_version

    build_demo_lectures(demo_dir, corpus=corpus)
    with serve_directory(demo_dir) as base_url:
        manifest = data / "bench-manifest.csv"
        ids = [p.name.removesuffix(".truth.json") for p in sorted(demo_dir.glob("*.truth.json"))]
        write_manifest(manifest, [VideoRef(v, page_url(base_url, v)) for v in ids])
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


def report_corpus(console: Console, corpus: str, data: Path, demo_dir: Path) -> None:
    seconds, build_seconds, dataset_path = curate_demo(data, demo_dir, corpus)

    from curation.config import load_settings
    from curation.demo.truth import load_truth
    from curation.evaluation.pairs import score_run
    from curation.evaluation.text import sentences_recognised
    from curation.records import Transcript
    from curation.store import Store

    settings = load_settings()
    store = Store(data)
    truths = [load_truth(p) for p in sorted(demo_dir.glob("*.truth.json"))]
    score = score_run(store, truths, dataset_path, settings.vision.histology_threshold)
    recognised = {t.video_id: sentences_recognised(t, store.load(t.video_id, Transcript).words) for t in truths}
    conditions = {t.video_id: ", ".join(t.audio.conditions) or "clean" for t in truths}

    table = Table(title=f"{corpus} corpus, per lecture")
    for column in ("lecture", "audio", "sentences recognised", "slides", "slide recall", "kf/slide", "hist tp/fp/fn",
                   "pairs", "aligned", "terms ok/raw/all"):
        table.add_column(column)
    for s in score.lectures:
        table.add_row(s.video_id, conditions[s.video_id], f"{recognised[s.video_id]:.3f}", str(s.slides),
                      f"{s.slide_recall:.2f}", f"{s.keyframes_per_slide:.2f}",
                      f"{s.histology_tp}/{s.histology_fp}/{s.histology_fn}", str(s.pairs), str(s.aligned_pairs),
                      f"{s.terms_in_captions}/{s.terms_in_raw_captions}/{s.terms}")
    console.print(table)
    said = {t.video_id: len(t.sentences) for t in truths}
    figures = {
        "sentences_recognised": sum(recognised[v] * n for v, n in said.items()) / sum(said.values()),
        "worst_lecture_recognised": min(recognised.values()),
        **score.figures(),
    }
    figures["near_duplicates_left"] = near_duplicates_left(store, [t.video_id for t in truths], settings.frames.dedup_hamming)
    audio = sum(t.duration_s for t in truths)
    figures["curate_seconds"] = round(seconds, 1)
    figures["x_real_time"] = round(audio / seconds, 1)
    figures["version_build_seconds"] = round(build_seconds, 1)
    summary = Table(title=f"{corpus} corpus, run figures")
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    for key, value in figures.items():
        summary.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=[*CORPORA, "all"], default="demo")
    parser.add_argument("--data", type=Path, default=ROOT / ".cache" / "bench" / "quality",
                        help="each corpus is curated into a folder of its own inside it")
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo",
                        help="where the demo corpus is built; the hard corpus goes beside it, in DEMO_DIR-hard")
    parser.add_argument("--fresh", action="store_true", help="recompute every stage")
    args = parser.parse_args()
    console = Console(width=max(Console().width, 150))  # the per-lecture table is wide
    for corpus in CORPORA if args.corpus == "all" else (args.corpus,):
        data = args.data / corpus
        if args.fresh:
            shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True, exist_ok=True)
        demo_dir = args.demo_dir if corpus == "demo" else args.demo_dir.with_name(f"{args.demo_dir.name}-{corpus}")
        report_corpus(console, corpus, data, demo_dir)


if __name__ == "__main__":
    main()
