"""End-to-end speed against ASR time (the floor), for one lecture and for a batch, and memory.

    .venv/bin/python bench/speed.py [--lecture lecture-02] [--batch lecture-01 lecture-03]

Warms up (Prefect's local server, the ASR model) by curating one lecture. Then, through the real
flow and from scratch: one lecture, compared with transcribing it alone (timed before and after,
since this machine's speed drifts); and a batch of lectures curated together, compared with
transcribing them one after the other. Target from the design: a lecture curated in at most 1.3x
its ASR time.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo")
    parser.add_argument("--warmup", default="lecture-01")
    parser.add_argument("--lecture", default="lecture-02")
    parser.add_argument("--batch", nargs="+", default=["lecture-01", "lecture-03"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="speed-", dir=ROOT / ".cache"))

    from curation.runtime import prepare_environment

    prepare_environment(str(work))
    from curation.asr import get_transcriber
    from curation.config import load_settings
    from curation.demo.build import build_demo_lectures
    from curation.demo.server import serve_directory
    from curation.ingest.manifest import write_manifest
    from curation.records import VideoRef
    from curation.summary import RunSummary
    from curation.text.lexicon import glossary_hotwords
    from flows.curate import curate

    build_demo_lectures(args.demo_dir, only=sorted({args.warmup, args.lecture, *args.batch}))
    transcriber = get_transcriber(load_settings().asr)

    def asr_alone(video_id: str) -> tuple[float, float]:
        """(seconds to transcribe, seconds of audio)"""
        started = time.perf_counter()
        result = transcriber.transcribe(args.demo_dir / f"{video_id}.mp4", glossary_hotwords())
        return time.perf_counter() - started, result.duration_s

    with serve_directory(args.demo_dir) as base_url:

        def curated(video_ids: list[str], data: str) -> tuple[float, RunSummary]:
            manifest = work / f"{data}.csv"
            write_manifest(manifest, [VideoRef(v, f"{base_url}/{v}.mp4") for v in video_ids])
            started = time.perf_counter()
            summary = curate(manifests=[str(manifest)], data_root=str(work / data), build_dataset=False)
            return time.perf_counter() - started, summary

        curated([args.warmup], "warmup")
        before, audio = asr_alone(args.lecture)
        wall, summary = curated([args.lecture], "single")
        after, _ = asr_alone(args.lecture)
        batch_asr = [asr_alone(v) for v in args.batch]
        batch_wall, _ = curated(args.batch, "batch")

    asr = (before + after) / 2
    print(f"lecture {args.lecture}: {audio:.1f} s of audio")
    print(f"ASR alone:               {asr:6.1f} s  ({audio / asr:.1f}x real time; {before:.1f} s before, {after:.1f} s after)")
    print(f"curated end to end:      {wall:6.1f} s  ({audio / wall:.1f}x real time)")
    print(f"end to end / ASR alone:  {wall / asr:6.2f}   (target <= 1.3)")
    print("stage seconds (run in parallel where the graph allows):")
    for stage, seconds in summary.stage_seconds.items():
        print(f"  {stage:10s} {seconds:6.1f}")
    batch_audio = sum(a for _, a in batch_asr)
    one_by_one = sum(s for s, _ in batch_asr)
    print(f"batch {' + '.join(args.batch)}: {batch_audio:.1f} s of audio")
    print(f"ASR alone, one by one:   {one_by_one:6.1f} s")
    print(f"curated together:        {batch_wall:6.1f} s  ({batch_audio / batch_wall:.1f}x real time)")
    print(f"together / ASR one by one: {batch_wall / one_by_one:4.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
