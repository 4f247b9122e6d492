"""Text stage: split the transcript into sentences, correct medical ASR errors, mark MED and ROI sentences."""

from __future__ import annotations

from curation.config import Settings, TextSettings
from curation.lexicon.lexicon import load_lexicon
from curation.pipeline import StageContext
from curation.records import Sentence, SlideTexts, TextAnalysis, Transcript, Video
from curation.slides.vocabulary import video_vocabulary
from curation.store import Store
from curation.text.confidence import judge_confidence, segment_openers
from curation.text.edits import apply_corrections
from curation.text.guard import guard_corrections, guard_extraction
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.recurrence import with_recurrences
from curation.text.refiner import TextRefiner, VideoContext
from curation.text.selection import medical_terms
from curation.text.sentences import split_sentences


def make_refiner(settings: TextSettings, store: Store) -> TextRefiner:
    lexicon, matcher = load_lexicon(), default_matcher()
    if not settings.uses_llm:
        return OfflineRefiner(settings, lexicon, matcher)
    if not settings.llm.base_url:
        raise ValueError(
            "text.refiner is 'llm' but no endpoint is set: set CURATION_TEXT__LLM__BASE_URL"
        )
    from curation.text.llm import LlmRefiner
    from curation.text.llm_client import LlmClient, ResponseCache

    return LlmRefiner(settings, LlmClient(settings.llm, ResponseCache(store)), lexicon, matcher)


def analyse(
    transcript: Transcript,
    refiner: TextRefiner,
    settings: TextSettings,
    vocabulary: list[str] | None = None,
    slide_lines: list[str] | None = None,
) -> TextAnalysis:
    """The corrected sentences of a transcript; `vocabulary` lists the video's own terms (page,
    slides) and `slide_lines` the text written on its slides, both context for the refiner."""
    lexicon = load_lexicon()
    context = VideoContext(tuple(vocabulary or ()), tuple(slide_lines or ()))
    spans = split_sentences(transcript.words, lexicon)
    raw = [s.text for s in spans]
    corrections = guard_corrections(
        refiner.propose_corrections(spans, context),
        raw,
        lexicon,
        settings.max_correction_distance,
        context.vocabulary,
    )
    fixes = with_recurrences(corrections.by_sentence, raw, lexicon)
    corrected = [apply_corrections(text, fixes.get(i, [])) for i, text in enumerate(raw)]
    med, roi, rejected_extractions = guard_extraction(
        refiner.extract(corrected, context), corrected, lexicon
    )
    openers = segment_openers(transcript.segments, transcript.words)
    judged = [
        judge_confidence(span, fixes.get(i, []), lexicon, context.vocabulary, openers)
        for i, span in enumerate(spans)
    ]
    sentences = [
        Sentence(
            index=i,
            start=round(span.start, 3),
            end=round(span.end, 3),
            raw=raw[i],
            text=corrected[i],
            is_med=i in med,
            is_roi=i in roi,
            med_terms=medical_terms(corrected[i], lexicon),
            confidence=judged[i].confidence,
            uncertain=judged[i].uncertain,
        )
        for i, span in enumerate(spans)
    ]
    return TextAnalysis(
        video_id=transcript.video_id,
        refiner_id=refiner.refiner_id,
        prompt_versions=refiner.prompt_versions,
        sentences=sentences,
        corrections=corrections.records,
        rejected=corrections.rejected + rejected_extractions,
        tokens_used=refiner.tokens_used,
        vocabulary=vocabulary or [],
    )


def refine_text(transcript: Transcript, slides: SlideTexts, video: Video, ctx: StageContext) -> TextAnalysis:
    if not transcript.words:
        raise ValueError(f"video {transcript.video_id}: its transcript has no words to refine")
    vocabulary = video_vocabulary(video, slides, load_lexicon())
    slide_lines = [line.text for frame in slides.frames for line in frame.lines]
    refiner = make_refiner(ctx.settings.text, ctx.store)
    analysis = analyse(transcript, refiner, ctx.settings.text, vocabulary, slide_lines)
    ctx.report(
        sentences=len(analysis.sentences),
        corrections=sum(c.applied for c in analysis.corrections),
        med=sum(s.is_med for s in analysis.sentences),
        roi=sum(s.is_roi for s in analysis.sentences),
        tokens=analysis.tokens_used,
        llm_requests=refiner.requests,
    )
    return analysis


# the version of the correction, sentence and confidence rules: raise it when they change
RULES_VERSION = "14"


def fingerprint(settings: Settings) -> str:
    """Versions of the rules, term lists and prompts: changing them re-runs this stage."""
    from curation.text.prompts import CORRECTION_PROMPT, EXTRACTION_PROMPT, template_version

    prompts = ",".join(f"{n}:{template_version(n)}" for n in (CORRECTION_PROMPT, EXTRACTION_PROMPT))
    return f"rules:{RULES_VERSION}|lexicon:{load_lexicon().version}|{prompts}"
