"""Whether each video's own vocabulary (its page and slides), passed to the ASR as hotwords,
loses speech: every lecture of a curated corpus transcribed without and with it.

    .venv/bin/python bench/page_hotwords.py [--corpus hard] [--data .cache/bench/quality]
        [--demo-dir .cache/demo] [--page-only] [--max-chars 0]

It reads what `bench/quality.py` stored for the corpus's full run (DATA/CORPUS/full: each video's
page metadata, slide text and media), so run that first. The vocabulary is the one the text stage
builds (`curation.slides.vocabulary.video_vocabulary`), joined as the ASR stage joins hotwords,
cut to its first --max-chars characters where that is set. Per lecture it prints the words heard,
sentences recognised (half their words heard within their time) and their mean start error, and
medical-term accuracy of the raw and the refined text (bench/asr_figures.py scores them), without
and with the vocabulary. `asr.glossary_hotwords` stays off for both, so the only bias is the
video's own.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from asr_figures import AsrFigures, lecture_figures, totals
from rich.console import Console
from rich.table import Table

from curation.config import load_settings
from curation.demo.truth import load_truth
from curation.lexicon.lexicon import load_lexicon
from curation.records import SlideTexts, Transcript, Video
from curation.slides.vocabulary import video_vocabulary
from curation.store import Store

ROOT = Path(__file__).resolve().parents[1]


def hotwords(video: Video, slides: SlideTexts, max_chars: int) -> str:
    joined = ", ".join(video_vocabulary(video, slides, load_lexicon()))
    return joined[:max_chars].rsplit(",", 1)[0] if max_chars and len(joined) > max_chars else joined


def transcript_of(media: Path, vocabulary: str, transcriber) -> Transcript:
    result = transcriber.transcribe(media, vocabulary)
    return Transcript(video_id=media.parent.name, language=result.language, model_id=transcriber.model_id,
                      duration_s=result.duration_s, segments=result.segments, words=result.words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="hard", help="a corpus bench/quality.py curated")
    parser.add_argument("--data", type=Path, default=ROOT / ".cache" / "bench" / "quality")
    parser.add_argument("--demo-dir", type=Path, default=ROOT / ".cache" / "demo",
                        help="as given to bench/quality.py; other corpora lie beside it, in DEMO_DIR-CORPUS")
    parser.add_argument("--page-only", action="store_true",
                        help="the vocabulary of the page alone, known before ASR (no slide text)")
    parser.add_argument("--max-chars", type=int, default=0, help="cut the vocabulary to this many characters (0: all)")
    args = parser.parse_args()
    demo_dir = args.demo_dir if args.corpus == "demo" else args.demo_dir.with_name(f"{args.demo_dir.name}-{args.corpus}")
    data = args.data / args.corpus / "full"
    truths = [load_truth(p) for p in sorted(demo_dir.glob("*.truth.json"))]
    store = Store(data)
    if not truths or not all(store.exists(store.video_path(t.video_id, Video.stored_as)) for t in truths):
        raise SystemExit(f"no curated {args.corpus} corpus in {data} (with truth in {demo_dir}); "
                         f"run bench/quality.py --corpus {args.corpus} --variants full first")

    from curation.asr import get_transcriber

    settings = load_settings()
    asr = settings.asr.model_copy(update={"glossary_hotwords": False})
    transcriber = get_transcriber(asr)
    table = Table(title=f"{args.corpus} corpus: ASR without / with the video's own vocabulary as hotwords")
    for column in ("lecture", "audio", "hotword chars", "words", "sentences recognised", "mean start error s",
                   "terms raw", "terms refined"):
        table.add_column(column)
    runs: dict[str, list[AsrFigures]] = {"without": [], "with": []}
    for truth in truths:
        video = store.load(truth.video_id, Video)
        slides = SlideTexts(video_id=truth.video_id, engine_id="off", frames=[]) if args.page_only else (
            store.load(truth.video_id, SlideTexts))
        vocabulary = hotwords(video, slides, args.max_chars)
        media = Path(data) / "videos" / truth.video_id / video.file_name
        pair = [lecture_figures(truth, transcript_of(media, v, transcriber), settings) for v in ("", vocabulary)]
        for name, figures in zip(runs, pair):
            runs[name].append(figures)
        cells = [(f.words, f"{f.sentences_recognised}/{f.sentences}",
                  f"{f.start_error_s / max(f.sentences_recognised, 1):.2f}",
                  f"{f.terms_right_raw / max(f.terms, 1):.3f}", f"{f.terms_right_refined / max(f.terms, 1):.3f}")
                 for f in pair]
        table.add_row(truth.video_id, ", ".join(truth.audio.conditions) or "clean", str(len(vocabulary)),
                      *(f"{a} / {b}" for a, b in zip(*cells)))
    Console(width=170).print(table)
    for name, lectures in runs.items():
        figures = totals(lectures)
        print(f"{name} the vocabulary: sentences recognised {figures['sentences_recognised']:.3f} "
              f"(worst lecture {figures['worst_lecture_recognised']:.3f}), terms raw {figures['term_accuracy_raw']:.3f}, "
              f"refined {figures['term_accuracy_refined']:.3f}")


if __name__ == "__main__":
    main()
