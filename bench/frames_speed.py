"""Keyframe extraction on the demo lectures: time against video length, slide changes found.

    .venv/bin/python bench/frames_speed.py [--demo-dir .cache/demo] [--data .cache/bench/frames]

For every lecture: seconds spent by the keyframes stage (one core of this machine), its ratio to
the video's duration, keyframes kept per slide, slides (pictures) without a kept keyframe, cuts
and cross-fades missed, and near-duplicate pairs left among the kept frames.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from curation.config import Settings
from curation.demo.build import build_demo_lectures
from curation.demo.truth import load_truth
from curation.frames.measure import hamming
from curation.pipeline import publish_run
from curation.records import Keyframes, Video, VideoRef
from curation.stages import STAGES
from curation.store import Store

ROOT = Path(__file__).resolve().parents[1]


def run(store: Store, video: Path, settings: Settings) -> tuple[float, Keyframes]:
    video_id = video.stem
    folder = Path(store.video_dir(video_id))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(video, folder / video.name)
    store.save(video_id, Video(video_id=video_id, url=str(video), file_name=video.name))
    started = time.perf_counter()
    publish_run(STAGES["keyframes"], store, VideoRef(video_id, str(video)), settings, upstream={})
    elapsed = time.perf_counter() - started
    return elapsed, store.load(video_id, Keyframes)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo")
    parser.add_argument("--data", type=Path, default=ROOT / ".cache" / "bench" / "frames")
    args = parser.parse_args()
    build_demo_lectures(args.demo_dir)
    settings = Settings()
    store = Store(args.data)
    table = Table(title="keyframes stage on the demo lectures")
    for column in (
        "lecture",
        "video s",
        "stage s",
        "ratio",
        "slides",
        "kept",
        "per slide",
        "slides missed",
        "cross-fades found",
        "near-dup pairs",
    ):
        table.add_column(column, justify="right")
    for truth_file in sorted(args.demo_dir.glob("*.truth.json")):
        truth = load_truth(truth_file)
        elapsed, keyframes = run(store, args.demo_dir / f"{truth.video_id}.mp4", settings)
        kept = [k for k in keyframes.keyframes if k.duplicate_of is None]
        shown = {truth.slide_at(k.frame_time).index for k in keyframes.keyframes}
        pictures_kept = {truth.slide_at(k.frame_time).picture for k in kept}
        missed = [s.index for s in truth.slides if s.index not in shown]
        fades = [s for s in truth.slides if s.transition_in == "crossfade"]
        dup_pairs = sum(
            hamming(a.phash, b.phash) <= settings.frames.dedup_hamming
            for i, a in enumerate(kept)
            for b in kept[:i]
        )
        table.add_row(
            truth.video_id,
            f"{truth.duration_s:.1f}",
            f"{elapsed:.2f}",
            f"1/{truth.duration_s / elapsed:.0f}",
            str(len(truth.slides)),
            str(len(kept)),
            f"{len(kept) / len({s.picture for s in truth.slides}):.2f}",
            ",".join(map(str, missed)) or "none",
            f"{sum(s.index in shown for s in fades)}/{len(fades)}",
            str(dup_pairs),
        )
        if len(pictures_kept) != len(kept):
            Console().print(
                f"[yellow]{truth.video_id}: {len(kept) - len(pictures_kept)} kept frames "
                "repeat a picture"
            )
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
