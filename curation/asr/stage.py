"""ASR stage: transcript with word timings for one video."""

from __future__ import annotations

from curation.asr import get_transcriber
from curation.config import Settings
from curation.records import VideoRef
from curation.records import Transcript, Video
from curation.store import Store


def transcribe_video(store: Store, video: VideoRef, settings: Settings) -> dict[str, float]:
    info = store.read_model(store.video_path(video.video_id, "info.json"), Video)
    media = store.local_path(store.video_path(video.video_id, info.file_name))
    vocabulary = ""
    if settings.asr.glossary_hotwords:
        from curation.text.lexicon import glossary_hotwords

        vocabulary = glossary_hotwords()
    transcriber = get_transcriber(settings.asr)
    result = transcriber.transcribe(media, vocabulary)
    if not result.words:
        raise ValueError(f"video {video.video_id}: no speech was recognised in {info.file_name}")
    transcript = Transcript(
        video_id=video.video_id,
        language=result.language,
        model_id=transcriber.model_id,
        duration_s=round(result.duration_s or info.duration_s, 3),
        segments=result.segments,
        words=result.words,
    )
    store.write_json(store.video_path(video.video_id, "transcript.json"), transcript)
    return {"words": float(len(result.words)), "audio_s": transcript.duration_s}
