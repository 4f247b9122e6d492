"""Caption quality of the offline text stage on the demo lectures, with and without each video's
vocabulary (the terms on its slides and page), so the vocabulary's gain is visible.

    .venv/bin/python bench/caption_quality.py [--asr frozen|fresh] [--demo-dir .cache/demo] [--show]

Per run it prints term accuracy (raw and refined), errors fixed, terms broken, the mean share of a
caption's words the narrator actually said, the share of captions with more than a fifth of their
words never said, the share cut mid-sentence, and how well `Sentence.confidence` separates
garbled sentences (over a fifth never said) from clean ones; then how many of the sentences the
narrators said it changes when every word was heard right but unsurely (probability 0.6): a
correction there changes words that were said. Captions are the sentences marked MED
or ROI; a version keeps those whose confidence reaches `export.min_text_confidence`, so the
figures of the kept captions at that cut are printed beside those of all captions, with the share
of clean captions the cut keeps (its cost), and the trade-off over a range of cuts. The vocabulary is built as the text stage builds it, from the lecture's page title and the
lines written on its slides (read from the demo script: a faithful OCR). By default the frozen
transcripts of tests/text/fixtures/ are used (the same figures on every CPU); with --asr fresh, or
when there are none, the demo lectures in --demo-dir are transcribed once and cached.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from curation.config import load_settings
from curation.demo.truth import LectureTruth, load_truth
from curation.evaluation.demo_context import demo_slides, demo_video
from curation.evaluation.text import (
    CaptionScore,
    caption_scores,
    caption_summary,
    said_but_changed,
    score,
    summary,
    transcribe_cached,
)
from curation.lexicon.lexicon import load_lexicon
from curation.records import TextAnalysis, Transcript
from curation.slides.vocabulary import video_vocabulary
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.stage import analyse

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "text" / "fixtures"
Lecture = tuple[LectureTruth, Transcript]


def frozen_lectures(folder: Path) -> list[Lecture]:
    return [
        (load_truth(p), Transcript.model_validate_json(p.with_name(p.name.replace(".truth.json", ".transcript.json")).read_text()))
        for p in sorted(folder.glob("*.truth.json"))
    ]


def fresh_lectures(demo_dir: Path, cache_dir: Path) -> list[Lecture]:
    settings = load_settings()
    return [
        (load_truth(t), transcribe_cached(t.with_name(t.name.replace(".truth.json", ".mp4")), settings, cache_dir))
        for t in sorted(demo_dir.glob("*.truth.json"))
    ]


def analyse_lecture(truth: LectureTruth, transcript: Transcript, with_vocabulary: bool) -> TextAnalysis:
    settings = load_settings()
    lexicon = load_lexicon()
    refiner = OfflineRefiner(settings.text, lexicon, default_matcher())
    if not with_vocabulary:
        return analyse(transcript, refiner, settings.text)
    video, slides = demo_video(truth.video_id, truth.title), demo_slides(truth.video_id)
    lines = [line.text for frame in slides.frames for line in frame.lines]
    return analyse(transcript, refiner, settings.text, video_vocabulary(video, slides, lexicon), lines)


def run(lectures: list[Lecture], with_vocabulary: bool) -> tuple[dict[str, float], list[CaptionScore], list[TextAnalysis]]:
    analyses = [analyse_lecture(truth, transcript, with_vocabulary) for truth, transcript in lectures]
    terms = summary([score(truth, a) for (truth, _), a in zip(lectures, analyses, strict=True)])
    captions = [c for (truth, _), a in zip(lectures, analyses, strict=True) for c in caption_scores(truth, a)]
    return {**terms, **caption_summary(captions)}, captions, analyses


FIGURES = (
    "term_accuracy_raw",
    "term_accuracy_refined",
    "errors_fixed",
    "terms_broken",
    "captions",
    "caption_words_said",
    "captions_garbled",
    "captions_cut_mid_sentence",
    "garbled_sentences",
    "garbled_below_half_confidence",
    "clean_at_or_above_half_confidence",
)
CUTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
UNSURE_PROBABILITY = 0.6


def kept_figures(captions: list[CaptionScore], cut: float) -> dict[str, float]:
    """The captions a version keeps at `cut`: how many, their share of words said, their share
    garbled, and the share of the clean captions kept."""
    marked = [c for c in captions if c.is_caption]
    kept = [c for c in marked if c.confidence >= cut]
    clean = [c for c in marked if not c.garbled]
    return {
        "captions_kept": len(kept),
        "kept_caption_words_said": sum(c.said_share for c in kept) / len(kept) if kept else 0.0,
        "kept_captions_garbled": sum(c.garbled for c in kept) / len(kept) if kept else 0.0,
        "clean_captions_kept": sum(c.confidence >= cut for c in clean) / len(clean) if clean else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asr", choices=["frozen", "fresh"], default="frozen")
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "text-bench")
    parser.add_argument("--show", action="store_true", help="print every garbled caption and uncertain words")
    args = parser.parse_args()
    lectures = frozen_lectures(FIXTURES) if args.asr == "frozen" else []
    if not lectures:
        lectures = fresh_lectures(args.demo_dir, args.cache_dir)
    if not lectures:
        raise SystemExit(f"no demo lectures in {FIXTURES} or {args.demo_dir}")
    console = Console()
    source = "frozen fixtures" if args.asr == "frozen" and frozen_lectures(FIXTURES) else f"fresh ASR of {args.demo_dir}"
    console.print(f"{len(lectures)} lectures, {source}")
    without, captions_without, _ = run(lectures, with_vocabulary=False)
    with_vocab, captions, analyses = run(lectures, with_vocabulary=True)
    cut = load_settings().export.min_text_confidence
    for record, captions_of in ((without, captions_without), (with_vocab, captions)):
        record.update({f"{k} (cut {cut:g})": v for k, v in kept_figures(captions_of, cut).items()})
    table = Table("figure", "no vocabulary", "video vocabulary")
    for name in [*FIGURES, *(k for k in with_vocab if k.endswith(f"(cut {cut:g})"))]:
        table.add_row(name, *(f"{r[name]:.3f}" if isinstance(r[name], float) else str(r[name]) for r in (without, with_vocab)))
    console.print(table)
    curve = Table("cut", "kept", "words said", "garbled", "clean kept",
                  title="min_text_confidence trade-off, video vocabulary (0: no cut)")
    for c in CUTS:
        f = kept_figures(captions, c)
        curve.add_row(f"{c:g}", *(f"{v:.3f}" if isinstance(v, float) else str(v) for v in f.values()))
    console.print(curve)
    changed = said_but_changed([truth for truth, _ in lectures], UNSURE_PROBABILITY)
    said = sum(len(truth.sentences) for truth, _ in lectures)
    console.print(f"sentences said, heard right at probability {UNSURE_PROBABILITY:g}, that the text stage changes: "
                  f"{len(changed)} of {said}")
    if args.show:
        for before, after in changed:
            console.print(f"said {before!r}\n  -> {after!r}", markup=False, soft_wrap=True)
        for c in captions:
            if c.garbled or c.confidence < 0.5:
                console.print(f"{c.video_id} said {c.said_share:.2f} conf {c.confidence:.2f}: {c.text}", markup=False, soft_wrap=True)
        for a in analyses:
            for c in a.corrections:
                console.print(f"{a.video_id}: {c.wrong!r} -> {c.right!r} {'applied' if c.applied else c.reason}", markup=False, soft_wrap=True)


if __name__ == "__main__":
    main()
