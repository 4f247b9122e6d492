"""Quality of a whole curation run, scored against the demo lectures' ground truth.

    .venv/bin/python bench/quality.py [--corpus demo|hard|all] [--data .cache/bench/quality] [--fresh]
                                      [--variants full,neither]

Per corpus (`demo`: the three clean lectures; `hard`: five short lectures with eponyms, special
stains and markers under background music, mains hum and noise, fast speech and 32 kb/s audio),
builds and serves the lectures, runs the real `curate` flow over their pages (stages already done in
the run's data folder are reused unless --fresh), then prints: sentences recognised (half their
words heard within their time) per lecture and for the worst one, slide recall, keyframes per slide,
histology precision/recall of the kept frames, whether every histology slide (and no other) gave
pairs, alignment precision, medical-term accuracy of captions against the raw ASR text, the share of
captions where correction introduced a wrong term, near-duplicates left, and the OCR stage's cost:
its CPU time, run again alone on the stored keyframes, against the run's time and CPU time (target:
at most 5% of the time). Inside the run its wall time is mostly waiting for the cores ASR holds.

Each figure is printed beside the same figure of runs without parts (`--variants`): `no-ocr` with
the slides stage off (`slides.enabled = false`: no slide vocabulary, slide text or stains read off
the slides), `no-page` from the bare media files (no title, description, tags or chapters),
`neither` without both; the gain of each part is the full run's figure against the run without it.
Each run curates into a folder of its own, as `curate run` does, timed from when Prefect's server
answers; the first also loads the models (about 3 s), so compare timings with that in mind.
`bench/classifier.py` and `bench/text_quality.py` measure the classifier and the text stage on
their own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from curation.demo.scripts import CORPORA

# scored against what their narrators said; the negatives have no lecture to score (bench/triage.py)
LECTURE_CORPORA = [corpus for corpus in CORPORA if corpus != "negative"]

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")


@dataclass(frozen=True)
class Variant:
    """What a run takes from each lecture: its slides (OCR) and its page's metadata."""

    name: str
    ocr: bool
    page: bool

    def settings(self):
        from curation.config import load_settings

        settings = load_settings()
        return settings.model_copy(update={"slides": settings.slides.model_copy(update={"enabled": self.ocr})})

    def url(self, base_url: str, video_id: str) -> str:
        """The lecture's page, or its bare media file: then yt-dlp reads no title, description,
        tags or chapters, as from a link to the file alone."""
        from curation.demo.page import page_url

        return page_url(base_url, video_id) if self.page else f"{base_url}/{video_id}.mp4"


VARIANTS = {v.name: v for v in (
    Variant("full", ocr=True, page=True),
    Variant("no-ocr", ocr=False, page=True),
    Variant("no-page", ocr=True, page=False),
    Variant("neither", ocr=False, page=False),
)}


@dataclass(frozen=True)
class Run:
    curate_seconds: float
    curate_cpu_seconds: float  # this process (every task runs in it) and the tools it started
    build_seconds: float
    dataset_path: str


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def curate_demo(data: Path, demo_dir: Path, corpus: str, variant: Variant) -> Run:
    """Curate the lectures of `corpus` as `curate run --no-dataset` does, then build a dataset
    version of them. The clock starts once Prefect's server is up: the process's first run would
    otherwise count its boot (and, without `curate run`'s server, an ephemeral server's 14 s)."""
    from curation.cli import run_curation
    from curation.demo.build import build_demo_lectures
    from curation.demo.server import serve_directory
    from curation.ingest.manifest import write_manifest
    from curation.records import VideoRef
    from curation.runtime import prepare_environment, start_prefect_server

    prepare_environment(str(data))
    start_prefect_server().join()
    from flows.dataset import build_dataset_version

    settings = variant.settings()
    build_demo_lectures(demo_dir, corpus=corpus)
    with serve_directory(demo_dir) as base_url:
        manifest = data / "bench-manifest.csv"
        ids = [p.name.removesuffix(".truth.json") for p in sorted(demo_dir.glob("*.truth.json"))]
        write_manifest(manifest, [VideoRef(v, variant.url(base_url, v)) for v in ids])
        started, started_cpu = time.perf_counter(), cpu_seconds()
        run_curation([manifest], str(data), settings, runner="thread", videos_at_once=2, workers=2,
                     dask_address=None, verbose=False, build_dataset=False)
        curated, curated_cpu = time.perf_counter(), cpu_seconds()
        version = build_dataset_version(data_root=str(data), settings=settings)
        return Run(curated - started, curated_cpu - started_cpu, time.perf_counter() - curated, version.path)


def near_duplicates_left(store, video_ids: list[str], max_distance: int) -> int:
    import imagehash

    from curation.records import Keyframes

    left = 0
    for vid in video_ids:
        kept = [kf for kf in store.load(vid, Keyframes).keyframes if kf.duplicate_of is None]
        hashes = [imagehash.hex_to_hash(kf.phash) for kf in kept]
        left += sum(hashes[i] - hashes[j] <= max_distance for i in range(len(hashes)) for j in range(i))
    return left


def stage_seconds(store, video_ids: list[str], stage: str) -> float:
    return sum(store.statuses(v)[stage].duration_s for v in video_ids)


def ocr_cpu_seconds(store, video_ids: list[str], settings) -> float:
    """CPU time of the slides stage run again, alone, on each lecture's stored keyframes. Its time
    inside the run is mostly waiting for the cores that ASR holds, so its wall time there says
    little of what it costs."""
    import tempfile

    from curation.pipeline import StageContext
    from curation.records import Keyframes, VideoRef
    from curation.slides.ocr import get_engine
    from curation.slides.stage import read_slides

    if settings.slides.enabled:
        get_engine(settings.slides.engine)  # loaded once per process, as in a run
    total = 0.0
    for video_id in video_ids:
        with tempfile.TemporaryDirectory(prefix="bench-ocr-") as work:
            ctx = StageContext(VideoRef(video_id, ""), settings, Path(work), store, {})
            started = cpu_seconds()
            read_slides(store.load(video_id, Keyframes), ctx)
            total += cpu_seconds() - started
    return total


def run_figures(console: Console, corpus: str, data: Path, demo_dir: Path, variant: Variant,
                per_lecture: bool) -> dict[str, float]:
    run = curate_demo(data, demo_dir, corpus, variant)

    from curation.demo.truth import load_truth
    from curation.evaluation.pairs import score_run
    from curation.evaluation.text import sentences_recognised
    from curation.records import Transcript
    from curation.store import Store

    settings = variant.settings()
    store = Store(data)
    truths = [load_truth(p) for p in sorted(demo_dir.glob("*.truth.json"))]
    score = score_run(store, truths, run.dataset_path, settings.vision.histology_threshold)
    recognised = {t.video_id: sentences_recognised(t, store.load(t.video_id, Transcript).words) for t in truths}
    conditions = {t.video_id: ", ".join(t.audio.conditions) or "clean" for t in truths}

    if per_lecture:
        table = Table(title=f"{corpus} corpus, {variant.name} run, per lecture")
        for column in ("lecture", "audio", "sentences recognised", "slides", "slide recall", "kf/slide",
                       "hist tp/fp/fn", "pairs", "aligned", "terms ok/raw/all"):
            table.add_column(column)
        for s in score.lectures:
            table.add_row(s.video_id, conditions[s.video_id], f"{recognised[s.video_id]:.3f}", str(s.slides),
                          f"{s.slide_recall:.2f}", f"{s.keyframes_per_slide:.2f}",
                          f"{s.histology_tp}/{s.histology_fp}/{s.histology_fn}", str(s.pairs), str(s.aligned_pairs),
                          f"{s.terms_in_captions}/{s.terms_in_raw_captions}/{s.terms}")
        console.print(table)
    said = {t.video_id: len(t.sentences) for t in truths}
    video_ids = [t.video_id for t in truths]
    figures = {
        "sentences_recognised": sum(recognised[v] * n for v, n in said.items()) / sum(said.values()),
        "worst_lecture_recognised": min(recognised.values()),
        **score.figures(),
    }
    figures["near_duplicates_left"] = near_duplicates_left(store, video_ids, settings.frames.dedup_hamming)
    audio = sum(t.duration_s for t in truths)
    figures["curate_seconds"] = round(run.curate_seconds, 1)
    figures["curate_cpu_seconds"] = round(run.curate_cpu_seconds, 1)
    figures["x_real_time"] = round(audio / run.curate_seconds, 1)
    figures["version_build_seconds"] = round(run.build_seconds, 1)
    # the slides stage's wall time as its status recorded it, summed over the lectures
    figures["ocr_stage_wall_seconds"] = round(stage_seconds(store, video_ids, "slides"), 1)
    ocr_cpu = ocr_cpu_seconds(store, video_ids, settings)
    figures["ocr_cpu_seconds"] = round(ocr_cpu, 2)
    figures["ocr_share_of_curate_time"] = ocr_cpu / run.curate_seconds  # target: 0.05 at most
    figures["ocr_share_of_curate_cpu"] = ocr_cpu / run.curate_cpu_seconds
    return figures


def report_corpus(console: Console, corpus: str, data: Path, demo_dir: Path, variants: list[Variant],
                  fresh: bool) -> None:
    """Every figure of each run side by side: the gain of the slides' text and of the page's
    metadata is the full run's figure against the run without it. Each run curates in a folder
    of its own, so none reuses another's stages."""
    columns = {}
    for variant in variants:
        folder = data / corpus / variant.name
        if fresh:
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        columns[variant.name] = run_figures(console, corpus, folder, demo_dir, variant, variant is variants[0])
    summary = Table(title=f"{corpus} corpus, run figures")
    summary.add_column("figure")
    for name in columns:
        summary.add_column(name, justify="right")
    for key in columns[variants[0].name]:
        summary.add_row(key, *(f"{c[key]:.3f}" if isinstance(c[key], float) else str(c[key]) for c in columns.values()))
    console.print(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=[*LECTURE_CORPORA, "all"], default="demo")
    parser.add_argument("--data", type=Path, default=ROOT / ".cache" / "bench" / "quality",
                        help="each corpus and run is curated into a folder of its own inside it (CORPUS/RUN)")
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo",
                        help="where the demo corpus is built; the hard corpus goes beside it, in DEMO_DIR-hard")
    parser.add_argument("--fresh", action="store_true", help="recompute every stage")
    parser.add_argument("--variants", default="full,neither",
                        help=f"runs to set side by side, the first in full detail: {','.join(VARIANTS)}")
    args = parser.parse_args()
    unknown = [v for v in args.variants.split(",") if v not in VARIANTS]
    if unknown:
        parser.error(f"--variants: unknown {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    variants = [VARIANTS[v] for v in args.variants.split(",")]
    console = Console(width=max(Console().width, 150))  # the per-lecture table is wide
    for corpus in LECTURE_CORPORA if args.corpus == "all" else (args.corpus,):
        demo_dir = args.demo_dir if corpus == "demo" else args.demo_dir.with_name(f"{args.demo_dir.name}-{corpus}")
        report_corpus(console, corpus, args.data, demo_dir, variants, args.fresh)


if __name__ == "__main__":
    main()
