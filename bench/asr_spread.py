"""How far ASR output spreads across CPU instruction sets and runs, on the demo lectures.

    .venv/bin/python bench/asr_spread.py [--isa GENERIC AVX AVX2 AVX512] [--runs 2]
        [--hotwords on off] [--temperatures 0 | 0,0.2,0.4,0.6,0.8,1] [--noise 0.25]

Every run is a fresh process with CT2_FORCE_CPU_ISA set, transcribing all demo lectures with the
ASR stage's settings, `asr.parallel` at once. By default it tries each instruction set this CPU
has (/proc/cpuinfo) and the configured hotwords and temperatures; pass several values of
--hotwords or --temperatures to compare settings. Per run it prints words, sentences recognised
(at least half their words heard within their time), the mean start error of those sentences,
medical-term accuracy (raw ASR and refined), and whether the transcripts are byte-identical to
the first run of the same instruction set and settings (bench/asr_figures.py scores them).
--noise mixes pink noise of that amplitude into every lecture first, for audio that makes the
decoder fall back to higher temperatures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
CPU_FLAGS = {"AVX": "avx", "AVX2": "avx2", "AVX512": "avx512bw"}


def supported_isas() -> list[str]:
    flags = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
    return ["GENERIC"] + [isa for isa, flag in CPU_FLAGS.items() if flag in flags]


def with_noise(media: Path, amplitude: float, folder: Path) -> Path:
    noisy = folder / f"{media.stem}.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(media), "-f", "lavfi",
         "-i", f"anoisesrc=color=pink:amplitude={amplitude}:seed=7",
         "-filter_complex", "[0:a][1:a]amix=inputs=2:duration=first:normalize=0",
         "-vn", "-ac", "1", "-ar", "16000", str(noisy)],
        check=True,
    )
    return noisy


def worker(demo_dir: Path, noise: float) -> None:
    """One run in this process: the transcripts' digests and figures as JSON on stdout."""
    from asr_figures import demo_lectures, lecture_figures, transcribe_all

    from curation.config import load_settings

    settings = load_settings()
    lectures = demo_lectures(demo_dir)
    with tempfile.TemporaryDirectory() as folder:
        media = [with_noise(m, noise, Path(folder)) if noise else m for _, m in lectures]
        started = time.perf_counter()
        transcripts = transcribe_all(media, settings)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds,
        "digests": [hashlib.sha256(t.model_dump_json().encode()).hexdigest() for t in transcripts],
        "lectures": [lecture_figures(truth, t, settings).model_dump() for (truth, _), t in zip(lectures, transcripts)],
    }))


def one_run(demo_dir: Path, noise: float, isa: str, hotwords: str, temperatures: str | None) -> dict:
    env = dict(os.environ, CT2_FORCE_CPU_ISA=isa)
    if hotwords:
        env["CURATION_ASR__GLOSSARY_HOTWORDS"] = str(hotwords == "on").lower()
    if temperatures:
        env["CURATION_ASR__TEMPERATURES"] = json.dumps([float(t) for t in temperatures.split(",")])
    done = subprocess.run(
        [sys.executable, __file__, "--worker", "--demo-dir", str(demo_dir), "--noise", str(noise)],
        env=env, capture_output=True, text=True, cwd=ROOT, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"run with CT2_FORCE_CPU_ISA={isa} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo")
    parser.add_argument("--isa", nargs="+", default=supported_isas())
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--hotwords", nargs="+", choices=["on", "off"], default=[""])
    parser.add_argument("--temperatures", nargs="+", default=[None], help="comma-separated, e.g. 0,0.2,0.4")
    parser.add_argument("--noise", type=float, default=0.0, help="pink noise amplitude mixed in (0: none)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.demo_dir, args.noise)

    from asr_figures import AsrFigures, totals

    console = Console(width=240)
    noise = f", pink noise {args.noise}" if args.noise else ""
    table = Table(title=f"ASR on the demo lectures{noise}, {args.runs} runs per instruction set and settings")
    for column in ("ISA", "hotwords", "temperatures", "run", "words", "sentences recognised",
                   "worst lecture", "start error s", "terms raw", "terms refined", "per lecture (recognised/said)",
                   "identical to run 1", "seconds"):
        table.add_column(column)
    spread: dict[tuple[str, str], list[dict[str, float]]] = {}
    for hotwords in args.hotwords:
        for temperatures in args.temperatures:
            for isa in args.isa:
                first = None
                for run in range(1, args.runs + 1):
                    result = one_run(args.demo_dir, args.noise, isa, hotwords, temperatures)
                    lectures = [AsrFigures.model_validate(f) for f in result["lectures"]]
                    figures = totals(lectures)
                    first = first or result["digests"]
                    spread.setdefault((hotwords or "default", temperatures or "default"), []).append(figures)
                    table.add_row(
                        isa, hotwords or "default", temperatures or "default", str(run), str(figures["words"]),
                        f"{figures['sentences_recognised']:.3f}", f"{figures['worst_lecture_recognised']:.3f}",
                        f"{figures['mean_start_error_s']:.2f}", f"{figures['term_accuracy_raw']:.3f}",
                        f"{figures['term_accuracy_refined']:.3f}",
                        " ".join(f"{s.sentences_recognised}/{s.sentences}" for s in lectures),
                        "yes" if result["digests"] == first else "NO", f"{result['seconds']:.0f}",
                    )
    console.print(table)
    summary = Table(title="spread over instruction sets and runs (min - max)")
    summary.add_column("hotwords, temperatures")
    names = list(next(iter(spread.values()))[0])
    for name in names:
        summary.add_column(name)
    for (hotwords, temperatures), runs in spread.items():
        summary.add_row(f"{hotwords}, {temperatures}", *(
            f"{min(r[n] for r in runs):.3f} - {max(r[n] for r in runs):.3f}" for n in names
        ))
    console.print(summary)


if __name__ == "__main__":
    main()
