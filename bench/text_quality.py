"""Medical-term accuracy of the text stage on the demo lectures: raw ASR against the offline refiner.

    .venv/bin/python bench/text_quality.py [--asr frozen|fresh] [--freeze] [--build]
        [--demo-dir .cache/demo] [--only lecture-01 ...] [--show]

By default it reads the frozen ASR output of the demo lectures (tests/text/fixtures/: each
lecture's transcript and ground truth), the same figures on every machine, which the text tests
check. With --asr fresh each lecture is transcribed once with the ASR stage's settings and cached
under .cache/text-bench/; CTranslate2's int8 kernels give other words on other CPUs
(bench/asr_spread.py measures how far). --freeze writes fresh transcripts and their ground truth
into tests/text/fixtures/. How terms are scored is described in curation/evaluation/text.py.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from curation.config import load_settings
from curation.demo.truth import LectureTruth, load_truth
from curation.evaluation.text import TextScore, score, summary, transcribe_cached
from curation.lexicon.lexicon import load_lexicon
from curation.records import TextAnalysis, Transcript
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.stage import analyse

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "text" / "fixtures"


def frozen_lectures(folder: Path) -> list[tuple[LectureTruth, Transcript]]:
    return [
        (load_truth(p), Transcript.model_validate_json(p.with_name(p.name.replace(".truth.json", ".transcript.json")).read_text()))
        for p in sorted(folder.glob("*.truth.json"))
    ]


def fresh_lectures(demo_dir: Path, only: list[str] | None, cache_dir: Path) -> list[tuple[LectureTruth, Transcript]]:
    settings = load_settings()
    lectures = []
    for truth_file in sorted(demo_dir.glob("*.truth.json")):
        truth = load_truth(truth_file)
        if only and truth.video_id not in only:
            continue
        media = next(
            p for p in demo_dir.glob(f"{truth.video_id}.*") if p.suffix in (".mp4", ".wav")
        )
        lectures.append((truth, transcribe_cached(media, settings, cache_dir)))
    return lectures


def freeze(lectures: list[tuple[LectureTruth, Transcript]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for truth, transcript in lectures:
        (folder / f"{truth.video_id}.truth.json").write_text(truth.model_dump_json(indent=1) + "\n")
        (folder / f"{truth.video_id}.transcript.json").write_text(transcript.model_dump_json() + "\n")


def run(lectures: list[tuple[LectureTruth, Transcript]]) -> tuple[list[TextScore], list[TextAnalysis]]:
    settings = load_settings()
    refiner = OfflineRefiner(settings.text, load_lexicon(), default_matcher())
    scores, analyses = [], []
    for truth, transcript in lectures:
        started = time.perf_counter()
        analysis = analyse(transcript, refiner, settings.text)
        lecture = score(truth, analysis)
        lecture.seconds = round(time.perf_counter() - started, 2)
        scores.append(lecture)
        analyses.append(analysis)
    return scores, analyses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "text-bench")
    parser.add_argument("--asr", choices=["frozen", "fresh"], default="frozen",
                        help="frozen: the transcripts in tests/text/fixtures; fresh: transcribe the demo lectures")
    parser.add_argument("--freeze", action="store_true", help=f"write fresh transcripts into {FIXTURES}")
    parser.add_argument("--build", action="store_true", help="build the demo lectures first")
    parser.add_argument(
        "--show", action="store_true", help="print every applied and refused correction"
    )
    args = parser.parse_args()
    if args.build:
        from curation.demo.build import build_demo_lectures

        build_demo_lectures(args.demo_dir, args.only)
    if args.asr == "fresh" or args.freeze:
        lectures = fresh_lectures(args.demo_dir, args.only, args.cache_dir)
    else:
        lectures = frozen_lectures(FIXTURES)
    if args.freeze:
        freeze(lectures, FIXTURES)
    scores, analyses = run([(t, tr) for t, tr in lectures if not args.only or t.video_id in args.only])
    if not scores:
        source = FIXTURES if args.asr == "frozen" and not args.freeze else args.demo_dir
        raise SystemExit(f"no demo lectures in {source}; pass --build, or --freeze to make the fixtures")
    console = Console()
    table = Table(
        "lecture",
        "terms",
        "raw right",
        "refined right",
        "fixed",
        "broken",
        "sentences",
        "wrong-term sentences",
    )
    for s in scores:
        table.add_row(
            s.video_id,
            str(s.terms),
            str(s.right_raw),
            str(s.right_refined),
            str(s.fixed),
            str(s.broken),
            str(s.sentences),
            str(s.sentences_with_wrong_term),
        )
    console.print(table)
    for name, value in summary(scores).items():
        console.print(
            f"{name:32s} {value:.3f}" if isinstance(value, float) else f"{name:32s} {value}"
        )
    if args.show:
        for analysis in analyses:
            for c in analysis.corrections:
                mark = "applied" if c.applied else f"refused ({c.reason})"
                console.print(
                    f"{analysis.video_id}: {c.wrong!r} -> {c.right!r} {mark}",
                    markup=False,
                    soft_wrap=True,
                )


if __name__ == "__main__":
    main()
