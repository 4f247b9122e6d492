"""ASR stage: transcript with word timings for one video."""

from __future__ import annotations

from dataclasses import asdict

from curation.asr import get_transcriber
from curation.asr.language import language_figures, why_not_english
from curation.pipeline import StageContext
from curation.records import Transcript, Video


def transcribe_video(video: Video, ctx: StageContext) -> Transcript:
    settings = ctx.settings
    vocabulary = ""
    if settings.asr.glossary_hotwords:
        from curation.lexicon.lexicon import glossary_hotwords

        vocabulary = glossary_hotwords()
    transcriber = get_transcriber(settings.asr)
    with ctx.media(video) as media:
        result = transcriber.transcribe(media, vocabulary)
    if not result.words:
        raise ValueError(f"video {video.video_id}: no speech was recognised in {video.file_name}")
    figures = language_figures(result.words)
    if reason := why_not_english(result.words):
        raise ValueError(f"video {video.video_id}: {reason}")
    transcript = Transcript(
        video_id=video.video_id,
        language=result.language,
        model_id=transcriber.model_id,
        duration_s=round(result.duration_s or video.duration_s, 3),
        segments=result.segments,
        words=result.words,
    )
    ctx.report(words=len(result.words), audio_s=transcript.duration_s, **asdict(figures))
    return transcript
