"""An excerpt of a file's audio, read by seeking: the same samples as decoding the whole file; and
the short decode a probe makes of one."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from curation.asr import get_transcriber
from curation.asr.audio import SAMPLE_RATE, audio_excerpt
from curation.asr.faster import NOTHING_LEFT_S
from curation.config import AsrSettings
from tests.demo.negatives import negative_corpus


def test_an_excerpt_is_the_whole_decode_cut_at_its_start_and_end(narrated_clip):
    whole = decode_audio(str(narrated_clip), sampling_rate=SAMPLE_RATE)
    excerpt = audio_excerpt(str(narrated_clip), 1.5, 2.0)
    assert len(excerpt) == 2 * SAMPLE_RATE
    start = int(1.5 * SAMPLE_RATE)

    def correlation(lag: int) -> float:
        return float(np.corrcoef(excerpt, whole[start + lag : start + lag + len(excerpt)])[0, 1])

    assert np.sqrt(np.mean(excerpt**2)) > 0.01, "narration, not silence, is compared"
    assert correlation(0) > 0.98, "the resampler's few first samples aside, the same signal"
    assert max(correlation(lag) for lag in (-8, -4, 4, 8)) < 0.6, "aligned to the sample, not near it"

def test_an_excerpt_past_the_end_is_short_and_a_silent_file_has_none(narrated_clip, tmp_path):
    length_s = len(decode_audio(str(narrated_clip), sampling_rate=SAMPLE_RATE)) / SAMPLE_RATE
    tail = audio_excerpt(str(narrated_clip), length_s - 1.0, 5.0)
    assert 0.9 * SAMPLE_RATE <= len(tail) <= 1.1 * SAMPLE_RATE
    silent = tmp_path / "silent.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(narrated_clip), "-an", "-c", "copy", str(silent)], check=True)
    assert audio_excerpt(str(silent), 0.0, 2.0) is None


@pytest.mark.slow
def test_a_capped_decode_that_reaches_the_end_of_its_audio_takes_one_encoder_pass():
    """tiny.en loops on German to the token cap; Whisper would then encode the last fraction of a
    second again, padded to 30 s, for nothing (half of that probe's cost)."""
    transcriber = get_transcriber(AsrSettings())
    snippet = audio_excerpt(str(negative_corpus() / "neg-german.mp4"), 60.0, 15.0)
    passes = []
    encode = transcriber.model.encode
    transcriber.model.encode = lambda features: (passes.append(features.shape), encode(features))[1]
    try:
        segments = transcriber.decode_segments(snippet, max_tokens=90)
    finally:
        del transcriber.model.encode  # the class's own method again
    assert segments and segments[-1].end >= 15.0 - NOTHING_LEFT_S, "the decode reached the snippet's end"
    assert len(passes) == 1


def test_samples_in_memory_transcribe_as_their_file_does(narrated_clip):
    transcriber = get_transcriber(AsrSettings())
    from_file = transcriber.transcribe(narrated_clip, "")
    in_memory = transcriber.transcribe(decode_audio(str(narrated_clip), sampling_rate=SAMPLE_RATE), "")
    assert len(from_file.words) >= 10
    assert [(w.text, w.start) for w in in_memory.words] == [(w.text, w.start) for w in from_file.words]
    assert in_memory.duration_s == from_file.duration_s
