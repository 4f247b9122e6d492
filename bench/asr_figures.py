"""What a transcription of the demo lectures got right: words, sentences recognised and their
timing, and medical-term accuracy (raw ASR and after the offline refiner).

A spoken sentence is recognised when at least half its words are among the words heard within
its time (give or take scoring.HEARD_SLACK_S). Its start error is how far the first of those heard words lies
from the moment the sentence began. Terms are scored as in curation/evaluation/text.py.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel

from curation.config import Settings
from curation.demo.truth import LectureTruth, load_truth
from curation.evaluation.text import heard_in, is_recognised, score, transcribe_cached
from curation.lexicon.lexicon import load_lexicon
from curation.records import Transcript
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.stage import analyse


class AsrFigures(BaseModel):
    video_id: str
    words: int = 0
    sentences: int = 0
    sentences_recognised: int = 0
    start_error_s: float = 0.0  # summed over recognised sentences
    terms: int = 0
    terms_right_raw: int = 0
    terms_right_refined: int = 0


def lecture_figures(truth: LectureTruth, transcript: Transcript, settings: Settings) -> AsrFigures:
    figures = AsrFigures(video_id=truth.video_id, words=len(transcript.words), sentences=len(truth.sentences))
    for said in truth.sentences:
        if is_recognised(said, transcript.words):
            figures.sentences_recognised += 1
            figures.start_error_s += abs(heard_in(said, transcript.words)[0].start - said.start)
    refiner = OfflineRefiner(settings.text, load_lexicon(), default_matcher())
    terms = score(truth, analyse(transcript, refiner, settings.text))
    figures.terms, figures.terms_right_raw, figures.terms_right_refined = (
        terms.terms, terms.right_raw, terms.right_refined,
    )
    return figures


def totals(lectures: list[AsrFigures]) -> dict[str, float]:
    total = {f: sum(getattr(s, f) for s in lectures) for f in AsrFigures.model_fields if f != "video_id"}
    recognised = total["sentences_recognised"]
    return {
        "words": total["words"],
        "sentences_recognised": recognised / total["sentences"],
        "worst_lecture_recognised": min(s.sentences_recognised / s.sentences for s in lectures),
        "mean_start_error_s": total["start_error_s"] / recognised if recognised else 0.0,
        "term_accuracy_raw": total["terms_right_raw"] / total["terms"],
        "term_accuracy_refined": total["terms_right_refined"] / total["terms"],
    }


def demo_lectures(demo_dir: Path) -> list[tuple[LectureTruth, Path]]:
    found = [(load_truth(p), p.with_name(p.name.replace(".truth.json", ".mp4"))) for p in sorted(demo_dir.glob("*.truth.json"))]
    if not found:
        raise SystemExit(f"no demo lectures (*.truth.json + .mp4) in {demo_dir}; build them first")
    return found


def transcribe_all(media: list[Path], settings: Settings) -> list[Transcript]:
    """Fresh transcripts of every file, `asr.parallel` at once as the curate flow runs them."""
    with tempfile.TemporaryDirectory() as fresh, ThreadPoolExecutor(settings.asr.parallel) as pool:
        return list(pool.map(lambda m: transcribe_cached(m, settings, Path(fresh)), media))
