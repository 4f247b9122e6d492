"""Speed and memory of curating, against plain faster-whisper transcribing the same file alone.

    .venv/bin/python bench/speed.py [--demo-dir .cache/demo] [--skip-hour]

Builds its inputs once into .cache/bench/speed-media by joining or cutting the generated demo
lectures with ffmpeg (no re-encoding of the pictures): a ~10-minute lecture (three lectures end
to end), a ~60-minute one (the three, repeated, with an hour of other narration) and four
~1-minute ones. Then, in this one run:

- plain sequential faster-whisper tiny.en alone on the 10-minute lecture, as a user would write it
  (beam 5, VAD, word timestamps, default threads), timed before and after the pipeline since this
  machine's speed drifts;
- the `curate` flow on that lecture in this process, after a warm-up run (so Prefect's server and
  the models are up), from scratch: its ratio to ASR alone and times real time;
- the same flow again on the same data: the cached re-run's share of the first;
- the pipeline's transcriber alone on the four short lectures: their ASR CPU-seconds, the floor;
- `curate run` on the four short lectures in a fresh process, start-up included, times real time,
  then again with every stage cached: what start-up, tasks and the audit cost on their own;
- `curate run` on the 60-minute lecture in a fresh process: peak resident memory of the whole
  process tree (Prefect's server included, shown apart), sampled every 0.2 s.
Each `curate run` builds the dataset version and its audit, as a user's does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
LECTURES = ["lecture-01", "lecture-02", "lecture-03"]
HOUR_S = 3600.0
WORDS_PER_MINUTE = 160


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def joined(parts: list[Path], out: Path) -> Path:
    """The parts one after the other, streams copied (the demo lectures share their encoding)."""
    if not out.exists():
        listing = out.with_suffix(".txt")
        listing.write_text("".join(f"file '{p.resolve()}'\n" for p in parts))
        ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out.with_suffix(".tmp.mp4")))
        out.with_suffix(".tmp.mp4").rename(out)
    return out


def cut(source: Path, start_s: float, seconds: float, out: Path) -> Path:
    if not out.exists():
        ffmpeg("-ss", str(start_s), "-i", str(source), "-t", str(seconds), "-c", "copy", str(out.with_suffix(".tmp.mp4")))
        out.with_suffix(".tmp.mp4").rename(out)
    return out


def narrated_over(video: Path, out: Path) -> Path:
    """`video`'s pictures with distinct English read by espeak-ng (the licence texts Debian ships)
    instead of its sound: the same lecture said seven times over would be refused by the ASR
    stage, rightly, as a transcript that repeats itself."""
    if not out.exists():
        texts = {p.read_text(errors="ignore") for p in Path("/usr/share/common-licenses").iterdir() if p.is_file()}
        words = " ".join(sorted(texts)).split()
        script, speech = out.with_suffix(".txt"), out.with_suffix(".wav")
        script.write_text(" ".join(words[: int(duration_s(video) / 60 * WORDS_PER_MINUTE * 1.1)]))
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(WORDS_PER_MINUTE), "-w", str(speech), "-f", str(script)],
                       check=True)
        ffmpeg("-i", str(video), "-i", str(speech), "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac",
               "-shortest", str(out.with_suffix(".tmp.mp4")))
        speech.unlink()
        out.with_suffix(".tmp.mp4").rename(out)
    return out


def duration_s(path: Path) -> float:
    from curation.media import probe

    return probe(path).duration_s


def build_inputs(demo_dir: Path, media: Path) -> tuple[Path, Path, list[Path]]:
    from curation.demo.build import build_demo_lectures

    sources = build_demo_lectures(demo_dir, only=LECTURES)
    media.mkdir(parents=True, exist_ok=True)
    ten = joined(sources, media / "ten-minutes.mp4")
    repeats = int(HOUR_S // duration_s(ten)) + 1
    hour = narrated_over(joined([ten] * repeats, media / "ten-minutes-repeated.mp4"), media / "sixty-minutes.mp4")
    short = [cut(s, 0, 60, media / f"minute-{i}.mp4") for i, s in enumerate(sources, 1)]
    short.append(cut(sources[1], 60, 60, media / "minute-4.mp4"))
    return ten, hour, short


def plain_faster_whisper(media: Path) -> float:
    """Seconds for what a user would write: sequential, beam 5, VAD, word timestamps."""
    from faster_whisper import WhisperModel

    from curation.asr.faster import bundled_model_dir

    model = WhisperModel(str(bundled_model_dir()), compute_type="int8")
    started = time.perf_counter()
    segments, _ = model.transcribe(str(media), beam_size=5, vad_filter=True, word_timestamps=True)
    words = sum(len(s.words) for s in segments)
    assert words, f"no words in {media}"
    return time.perf_counter() - started


class TreeMemory:
    """Peak of the summed resident memory of a process and all its descendants, and how it was
    split at that moment between the process itself and its children (Prefect's server)."""

    def __init__(self, pid: int, interval_s: float = 0.2):
        import psutil

        self.root, self.interval_s = psutil.Process(pid), interval_s
        self.peak = self.own_at_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(self.interval_s):
            try:
                own = self.root.memory_info().rss
                children = sum(p.memory_info().rss for p in self.root.children(recursive=True))
            except psutil.Error:  # a process ended between listing and reading it
                continue
            if own + children > self.peak:
                self.peak, self.own_at_peak = own + children, own

    def stop(self) -> TreeMemory:
        self._stop.set()
        self._thread.join()
        return self


def curate_run(manifest: Path, data: Path) -> tuple[float, TreeMemory]:
    """Seconds and memory of `curate run` in a fresh process, as from a user's shell: with its
    Prefect home in `data`, not this process's (whose server holds that database)."""
    command = [str(Path(sys.executable).with_name("curate")), "run", "-m", str(manifest), "--data", str(data)]
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_HOME", "PREFECT_API_URL")}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    memory = TreeMemory(process.pid)
    output, _ = process.communicate()
    seconds, memory = time.perf_counter() - started, memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return seconds, memory


def asr_cpu_seconds(files: list[Path]) -> float:
    """CPU seconds of the pipeline's transcriber alone on `files`, one after the other, model
    loaded: the floor of any run that transcribes them."""
    from curation.asr import get_transcriber
    from curation.config import Settings

    transcriber = get_transcriber(Settings().asr)
    started = time.process_time()
    for media in files:
        assert transcriber.transcribe(media, "").words, f"no words in {media}"
    return time.process_time() - started


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo")
    parser.add_argument("--media", type=Path, default=ROOT / ".cache" / "bench" / "speed-media")
    parser.add_argument("--skip-hour", action="store_true", help="leave out the 60-minute lecture")
    args = parser.parse_args()
    (ROOT / ".cache").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="speed-", dir=ROOT / ".cache"))

    from curation.runtime import no_flow_heartbeats, prepare_environment

    prepare_environment(str(work))
    from curation.demo.server import serve_directory
    from curation.ingest.manifest import write_manifest
    from curation.records import VideoRef
    from flows.curate import curate

    ten, hour, short = build_inputs(args.demo_dir, args.media)
    ten_s, hour_s, short_s = duration_s(ten), duration_s(hour), sum(duration_s(p) for p in short)
    load = os.getloadavg()[0]

    with serve_directory(args.media) as base_url, no_flow_heartbeats():  # as `curate run` has it

        def manifest(name: str, files: list[Path]) -> Path:
            path = work / f"{name}.csv"
            write_manifest(path, [VideoRef(f.stem, f"{base_url}/{f.name}") for f in files])
            return path

        def curated(name: str, files: list[Path], data: str) -> float:
            started = time.perf_counter()
            curate(manifests=[str(manifest(name, files))], data_root=str(work / data), build_dataset=False)
            return time.perf_counter() - started

        print(f"load average at start {load:.1f} on {os.cpu_count()} cores", flush=True)
        curated("warmup", short[:1], "warmup")
        before = plain_faster_whisper(ten)
        first = curated("ten", [ten], "ten")
        again = curated("ten", [ten], "ten")
        after = plain_faster_whisper(ten)
        alone = (before + after) / 2
        print(f"10-minute lecture ({ten_s / 60:.1f} min):")
        print(f"  plain faster-whisper tiny.en alone  {alone:6.1f} s  ({before:.1f} s before, {after:.1f} s after)")
        print(f"  curated end to end (no dataset)     {first:6.1f} s  {ten_s / first:5.1f}x real time (target >= 20)")
        print(f"  end to end / ASR alone              {first / alone:6.2f}   (target <= 0.8)")
        print(f"  cached re-run                       {again:6.1f} s  {again / first:5.1%} of the first (target <= 5%)",
              flush=True)
        short_asr_cpu = asr_cpu_seconds(short)
        short_wall, short_memory = curate_run(manifest("four", short), work / "four")
        short_cached, _ = curate_run(manifest("four", short), work / "four")
        print(f"four short lectures ({short_s:.0f} s), one `curate run` from a fresh process, dataset and audit included:")
        print(f"  {short_wall:6.1f} s  {short_s / short_wall:5.1f}x real time (target >= 12); peak {gib(short_memory.peak)}")
        print(f"  the same run again, every stage cached (start-up, tasks, audit) {short_cached:6.1f} s")
        print(f"  ASR alone on them, model loaded: {short_asr_cpu:.1f} CPU-s, so at best {short_asr_cpu / 2:.1f} s "
              f"on 2 cores ({2 * short_s / short_asr_cpu:.0f}x real time)", flush=True)
        if not args.skip_hour:
            hour_wall, hour_memory = curate_run(manifest("hour", [hour]), work / "hour")
            print(f"60-minute lecture ({hour_s / 60:.1f} min), one `curate run`, dataset and audit included:")
            print(f"  {hour_wall:6.1f} s  {hour_s / hour_wall:5.1f}x real time; peak RSS of the process tree "
                  f"{gib(hour_memory.peak)} (target <= 2): curate {gib(hour_memory.own_at_peak)}, "
                  f"Prefect server {gib(hour_memory.peak - hour_memory.own_at_peak)}")
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
