"""Triage against full curation, over the demo lectures and the negative corpus.

    .venv/bin/python bench/triage.py [--triage-only] [--set discover.triage.snippet_s=20 ...]

Builds both corpora (cached in .cache/demo and .cache/demo-negative), serves each on 127.0.0.1
and, in this one process after a warm-up (yt-dlp, the classifier, the ASR model and Prefect's
server loaded once, as in a discovery run):
- triages every video by its page URL, as `curate discover` does;
- curates every video alone, from scratch, with the `curate` flow (no dataset build): its full
  curation time, the denominator of each triage cost (a negative's curation stops where a stage
  fails it, so that is its full cost too).
Prints, per video, the verdict, triage seconds by step and the share of the curation time, in wall
time and in CPU time (this process and its ffmpeg children); then the targets: the share of
lectures kept (100%), of negatives rejected (>= 95%), the costliest rejection's share (<= 10%),
and the kept lectures' triage share.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
CORPORA = {"demo": ROOT / ".cache" / "demo", "negative": ROOT / ".cache" / "demo-negative"}


@dataclass
class Row:
    video_id: str
    negative: bool
    duration_s: float
    reason: str | None = None
    triage_s: float = 0.0
    triage_cpu_s: float = 0.0
    steps: dict[str, float] | None = None
    curation_s: float = 0.0
    curation_cpu_s: float = 0.0


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(call):
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = call()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def overrides(pairs: list[str]) -> dict:
    """`a.b.c=value` pairs as a nested dict (values parsed by the settings model)."""
    tree: dict = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        *path, leaf = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def curate_alone(url: str, video_id: str, work: Path, settings) -> tuple[float, float]:
    from curation.ingest.manifest import write_manifest
    from curation.records import VideoRef
    from flows.curate import curate

    manifest = work / f"{video_id}.csv"
    write_manifest(manifest, [VideoRef(video_id, url)])
    _, wall, cpu = measured(lambda: curate(manifests=[str(manifest)], data_root=str(work / video_id),
                                           build_dataset=False, settings=settings))
    return wall, cpu


def share(part: float, whole: float) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triage-only", action="store_true", help="skip the curations (no shares)")
    parser.add_argument("--set", action="append", default=[], help="a setting, e.g. discover.triage.frames=4")
    args = parser.parse_args()

    from curation.config import Settings, with_overrides
    from curation.demo.build import build_demo_lectures
    from curation.demo.page import page_url
    from curation.demo.server import serve_directory
    from curation.demo.truth import load_truth, truth_path
    from curation.ingest.triage import triage
    from curation.runtime import no_flow_heartbeats, prepare_environment

    settings = with_overrides(Settings(), overrides(args.set))
    print(f"triage settings: {settings.discover.triage.model_dump()}")
    videos = {corpus: build_demo_lectures(folder, corpus=corpus) for corpus, folder in CORPORA.items()}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-triage-") as tmp:
        prepare_environment(tmp)  # Prefect's state in the scratch folder, patient server start
        bases = {corpus: stack.enter_context(serve_directory(folder)) for corpus, folder in CORPORA.items()}
        rows, urls = [], {}
        for corpus, paths in videos.items():
            for path in paths:
                truth = load_truth(truth_path(path.parent, path.stem))
                rows.append(Row(path.stem, corpus == "negative", truth.duration_s))
                urls[path.stem] = page_url(bases[corpus], path.stem)
        triage(urls[rows[0].video_id], settings)  # warm-up: yt-dlp's extractors, classifier, ASR model
        for row in rows:
            result, row.triage_s, row.triage_cpu_s = measured(lambda url=urls[row.video_id]: triage(url, settings))
            row.reason, row.steps = result.reason, result.steps
        if not args.triage_only:
            work = Path(tmp)
            stack.enter_context(no_flow_heartbeats())  # as `curate run` has it
            curate_alone(urls[rows[-1].video_id], "warm-up", work, settings)  # Prefect's server
            for row in rows:
                row.curation_s, row.curation_cpu_s = curate_alone(urls[row.video_id], row.video_id, work, settings)
    report(rows)


def report(rows: list[Row]) -> None:
    print(f"\n{'video':18s} {'kind':8s} {'dur s':>6s} {'curate s':>8s} {'triage s':>8s} {'wall':>6s} "
          f"{'cpu':>6s}  steps (s)                          verdict")
    for r in rows:
        steps = " ".join(f"{k} {v:.2f}" for k, v in (r.steps or {}).items())
        print(f"{r.video_id:18s} {'negative' if r.negative else 'lecture':8s} {r.duration_s:6.0f} "
              f"{r.curation_s:8.1f} {r.triage_s:8.2f} {share(r.triage_s, r.curation_s)} "
              f"{share(r.triage_cpu_s, r.curation_cpu_s)}  {steps:34s} {r.reason or 'kept'}")
    lectures = [r for r in rows if not r.negative]
    negatives = [r for r in rows if r.negative]
    kept = [r for r in lectures if r.reason is None]
    rejected = [r for r in negatives if r.reason is not None]
    print(f"\nlectures kept:      {len(kept)}/{len(lectures)} = {len(kept) / len(lectures):.0%}  (target 100%)")
    print(f"negatives rejected: {len(rejected)}/{len(negatives)} = {len(rejected) / len(negatives):.0%}  (target >= 95%)")
    if all(r.curation_s for r in rows):
        worst = max(rejected, key=lambda r: r.triage_s / r.curation_s, default=None)
        if worst:
            print(f"costliest rejection: {worst.video_id}, {share(worst.triage_s, worst.curation_s).strip()} of its "
                  f"curation time (cpu {share(worst.triage_cpu_s, worst.curation_cpu_s).strip()})  (target <= 10%)")
        for label, group in (("rejections", rejected), ("kept lectures", kept)):
            if group:
                wall = [r.triage_s / r.curation_s for r in group]
                cpu = [r.triage_cpu_s / r.curation_cpu_s for r in group]
                print(f"triage share, {label}: wall {min(wall):.1%}-{max(wall):.1%}, cpu {min(cpu):.1%}-{max(cpu):.1%}")


if __name__ == "__main__":
    main()
