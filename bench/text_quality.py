"""Medical-term accuracy of the text stage on the demo lectures: raw ASR against the offline refiner.

    .venv/bin/python bench/text_quality.py [--demo-dir .cache/demo] [--only lecture-01 ...]

Each lecture is transcribed once with the project's ASR stage settings (tiny.en with the glossary as
hotwords) and the transcript cached under .cache/text-bench/. A ground-truth term counts as right
when it is spelled right in the transcript sentences overlapping the sentence that says it. A
sentence "introduces a wrong term" when the refiner put a curated term into it that the narrator did
not say there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from curation.config import Settings, load_settings
from curation.demo.truth import LectureTruth, load_truth
from curation.records import TextAnalysis, Transcript
from curation.text.lexicon import glossary_hotwords, load_lexicon
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.stage import analyse
from curation.text.terms import find_terms, term_present

ROOT = Path(__file__).resolve().parents[1]


class TextScore(BaseModel):
    video_id: str
    terms: int = 0
    right_raw: int = 0
    right_refined: int = 0
    fixed: int = 0  # wrong in the raw transcript, right after refining
    broken: int = 0  # right in the raw transcript, wrong after refining
    sentences: int = 0
    sentences_with_wrong_term: int = 0
    med_sentences: int = 0
    med_with_wrong_term: int = 0
    med_true_positive: int = 0
    med_truth: int = 0
    roi_predicted: int = 0
    roi_true_positive: int = 0
    roi_truth: int = 0
    corrections: int = 0
    seconds: float = 0.0


def transcribe(media: Path, settings: Settings, cache_dir: Path) -> Transcript:
    vocabulary = glossary_hotwords() if settings.asr.glossary_hotwords else ""
    stat = media.stat()
    key = hashlib.sha256(
        json.dumps([media.name, stat.st_size, settings.asr.model_dump(mode="json"), vocabulary]).encode()
    ).hexdigest()[:16]
    cached = cache_dir / f"{media.stem}.{key}.transcript.json"
    if cached.exists():
        return Transcript.model_validate_json(cached.read_text())
    from curation.asr import get_transcriber

    transcriber = get_transcriber(settings.asr)
    result = transcriber.transcribe(media, vocabulary)
    transcript = Transcript(
        video_id=media.stem, language=result.language, model_id=transcriber.model_id,
        duration_s=result.duration_s, segments=result.segments, words=result.words,
    )
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(transcript.model_dump_json())
    return transcript


def _overlaps(a_start: float, a_end: float, b_start: float, b_end: float) -> bool:
    return min(a_end, b_end) - max(a_start, b_start) > 0


def score(truth: LectureTruth, analysis: TextAnalysis) -> TextScore:
    result = TextScore(video_id=truth.video_id, sentences=len(analysis.sentences))
    result.corrections = sum(c.applied for c in analysis.corrections)
    for said in truth.sentences:
        heard = [s for s in analysis.sentences if _overlaps(s.start, s.end, said.start, said.end)]
        raw, refined = " ".join(s.raw for s in heard), " ".join(s.text for s in heard)
        for term in said.terms:
            right_raw, right_refined = term_present(term, raw), term_present(term, refined)
            result.terms += 1
            result.right_raw += right_raw
            result.right_refined += right_refined
            result.fixed += right_refined and not right_raw
            result.broken += right_raw and not right_refined
    for sentence in analysis.sentences:
        said = [t for t in truth.sentences if _overlaps(sentence.start, sentence.end, t.start, t.end)]
        spoken = " ".join(t.text for t in said)
        added = set(find_terms(sentence.text)) - set(find_terms(sentence.raw))
        wrong = any(not term_present(term, spoken) for term in added)
        result.sentences_with_wrong_term += wrong
        best = max(said, key=lambda t: min(sentence.end, t.end) - max(sentence.start, t.start), default=None)
        if sentence.is_med:
            result.med_sentences += 1
            result.med_with_wrong_term += wrong
            result.med_true_positive += bool(best and best.is_med)
        if sentence.is_roi:
            result.roi_predicted += 1
            result.roi_true_positive += bool(best and best.is_roi)
    result.med_truth = sum(t.is_med for t in truth.sentences)
    result.roi_truth = sum(t.is_roi for t in truth.sentences)
    return result


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def summary(scores: list[TextScore]) -> dict[str, float]:
    total = {f: sum(getattr(s, f) for s in scores) for f in TextScore.model_fields if f != "video_id"}
    wrong_raw = total["terms"] - total["right_raw"]
    return {
        "term_accuracy_raw": _ratio(total["right_raw"], total["terms"]),
        "term_accuracy_refined": _ratio(total["right_refined"], total["terms"]),
        "errors_fixed": _ratio(total["fixed"], wrong_raw),
        "terms_broken": total["broken"],
        "sentences_with_wrong_term": _ratio(total["sentences_with_wrong_term"], total["sentences"]),
        "med_captions_with_wrong_term": _ratio(total["med_with_wrong_term"], total["med_sentences"]),
        "med_precision": _ratio(total["med_true_positive"], total["med_sentences"]),
        "roi_precision": _ratio(total["roi_true_positive"], total["roi_predicted"]),
        "corrections": total["corrections"],
        "refine_seconds": total["seconds"],
    }


def run(demo_dir: Path, only: list[str] | None, cache_dir: Path) -> tuple[list[TextScore], list[TextAnalysis]]:
    settings = load_settings()
    refiner = OfflineRefiner(settings.text, load_lexicon(), default_matcher())
    scores, analyses = [], []
    for truth_file in sorted(demo_dir.glob("*.truth.json")):
        truth = load_truth(truth_file)
        if only and truth.video_id not in only:
            continue
        media = next(p for p in demo_dir.glob(f"{truth.video_id}.*") if p.suffix in (".mp4", ".wav"))
        transcript = transcribe(media, settings, cache_dir)
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
    parser.add_argument("--build", action="store_true", help="build the demo lectures first")
    parser.add_argument("--show", action="store_true", help="print every applied and refused correction")
    args = parser.parse_args()
    if args.build:
        from curation.demo.build import build_demo_lectures

        build_demo_lectures(args.demo_dir, args.only)
    scores, analyses = run(args.demo_dir, args.only, args.cache_dir)
    if not scores:
        raise SystemExit(f"no demo lectures (*.truth.json + media) in {args.demo_dir}; pass --build")
    console = Console()
    table = Table("lecture", "terms", "raw right", "refined right", "fixed", "broken", "sentences", "wrong-term sentences")
    for s in scores:
        table.add_row(s.video_id, str(s.terms), str(s.right_raw), str(s.right_refined), str(s.fixed),
                      str(s.broken), str(s.sentences), str(s.sentences_with_wrong_term))
    console.print(table)
    for name, value in summary(scores).items():
        console.print(f"{name:32s} {value:.3f}" if isinstance(value, float) else f"{name:32s} {value}")
    if args.show:
        for analysis in analyses:
            for c in analysis.corrections:
                mark = "applied " if c.applied else f"refused ({c.reason})"
                console.print(f"{analysis.video_id}: {c.wrong!r} -> {c.right!r} {mark}", markup=False)


if __name__ == "__main__":
    main()
