"""Speech recognition behind one protocol; backends load lazily and once per process."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from curation.config import AsrSettings
from curation.records import Segment, Word


class Transcription(Protocol):
    language: str
    duration_s: float
    segments: list[Segment]
    words: list[Word]


class Transcriber(Protocol):
    model_id: str

    def transcribe(self, media: Path | np.ndarray, vocabulary: str, max_tokens: int | None = None) -> Transcription:
        """`media` is a file, or 16 kHz mono samples already in memory (a probe's snippet, read as
        one window); `max_tokens` caps what one 30 s window may decode (a probe, not a transcript)."""
        ...


_loading = threading.Lock()  # videos in flight ask at once; the model must still load only once


def get_transcriber(settings: AsrSettings) -> Transcriber:
    with _loading:
        return _cached_transcriber(settings.model_dump_json())


@lru_cache(maxsize=2)
def _cached_transcriber(settings_json: str) -> Transcriber:
    settings = AsrSettings.model_validate(json.loads(settings_json))
    if settings.backend == "openai-whisper":
        from curation.asr.openai_whisper import OpenAIWhisperTranscriber

        return OpenAIWhisperTranscriber(settings)
    from curation.asr.faster import FasterWhisperTranscriber

    return FasterWhisperTranscriber(settings)
