"""openai-whisper backend: needs a local .pt checkpoint; it never downloads one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curation.asr.result import TranscriptionResult
from curation.config import AsrSettings


class OpenAIWhisperTranscriber:
    def __init__(self, settings: AsrSettings):
        if settings.model_path is None or not Path(settings.model_path).is_file():
            raise FileNotFoundError(
                "the openai-whisper backend needs a local checkpoint: set CURATION_ASR__MODEL_PATH "
                f"to a Whisper .pt file (got {settings.model_path!r}); nothing is downloaded"
            )
        import torch
        import whisper

        device = settings.device if settings.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
        self.settings = settings
        self.model_id = f"openai-whisper:{Path(settings.model_path).stem}"
        self.model = whisper.load_model(str(settings.model_path), device=device)
        self.fp16 = device == "cuda"

    def transcribe(self, media: Path | np.ndarray, vocabulary: str, max_tokens: int | None = None) -> TranscriptionResult:
        out = self.model.transcribe(
            str(media) if isinstance(media, Path) else media,
            language=self.settings.language,
            temperature=self.settings.temperatures,
            word_timestamps=True,
            initial_prompt=vocabulary or None,
            condition_on_previous_text=False,
            fp16=self.fp16,
            sample_len=max_tokens,
        )
        segments = out.get("segments", [])
        result = TranscriptionResult(
            language=out.get("language", self.settings.language),
            duration_s=segments[-1]["end"] if segments else 0.0,
        )
        for seg in segments:
            result.add_segment(
                seg["start"], seg["end"], seg["text"],
                [(w["start"], w["end"], w["word"], w.get("probability", 1.0)) for w in seg.get("words", [])],
            )
        return result
