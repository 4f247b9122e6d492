"""End-to-end speed of one lecture against its ASR time (the floor), and memory.

    .venv/bin/python bench/speed.py [--lecture lecture-02]

Warms up (Prefect's local server, the ASR model) by curating one lecture, then curates another from
scratch through the real flow and compares the wall time with transcribing the same lecture alone.
Target from the design: a lecture curated in at most 1.3x its ASR time.
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
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="speed-", dir=ROOT / ".cache"))

    from curation.runtime import prepare_environment

    prepare_environment(str(data))
    from curation.asr import get_transcriber
    from curation.config import load_settings
    from curation.demo.build import build_demo_lectures
    from curation.demo.server import serve_directory
    from curation.text.lexicon import glossary_hotwords
    from curation.summary import RunSummary
    from flows.curate import curate

    build_demo_lectures(args.demo_dir, only=[args.warmup, args.lecture])
    settings = load_settings()
    with serve_directory(args.demo_dir) as base_url:
        def run(video_id: str) -> tuple[float, RunSummary]:
            manifest = data / f"{video_id}.csv"
            manifest.write_text(f"video_id,url\n{video_id},{base_url}/{video_id}.mp4\n")
            started = time.perf_counter()
            summary = curate(manifests=[str(manifest)], data_root=str(data), build_dataset=False)
            return time.perf_counter() - started, summary

        run(args.warmup)
        wall, summary = run(args.lecture)

    transcriber = get_transcriber(settings.asr)
    started = time.perf_counter()
    result = transcriber.transcribe(args.demo_dir / f"{args.lecture}.mp4", glossary_hotwords())
    asr_alone = time.perf_counter() - started

    print(f"lecture {args.lecture}: {result.duration_s:.1f} s of audio")
    print(f"ASR alone:               {asr_alone:6.1f} s  ({result.duration_s / asr_alone:.1f}x real time)")
    print(f"curated end to end:      {wall:6.1f} s  ({result.duration_s / wall:.1f}x real time)")
    print(f"end to end / ASR alone:  {wall / asr_alone:6.2f}   (target <= 1.3)")
    print("stage seconds (run in parallel where the graph allows):")
    for stage, seconds in summary.stage_seconds.items():
        print(f"  {stage:10s} {seconds:6.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
