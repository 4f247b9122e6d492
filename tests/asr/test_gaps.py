"""Speech the decoder skipped is decoded again: real espeak-ng speech, tiny.en, Silero VAD."""

import subprocess

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from curation.asr import get_transcriber
from curation.asr.audio import SAMPLE_RATE
from curation.asr.gaps import DecodedSegment, wordless_stretches, with_gaps_filled
from curation.config import AsrSettings

FIRST = "The glands are lined by columnar cells."
SECOND = "Here the stroma around the tumour is fibrous and dense."


def speech(text: str, tmp_path) -> np.ndarray:
    wav = tmp_path / f"{abs(hash(text))}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), "--", text], check=True)
    return decode_audio(str(wav), sampling_rate=SAMPLE_RATE)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def segment(start: float, end: float, words: list[str]) -> DecodedSegment:
    step = (end - start) / len(words)
    return DecodedSegment(start, end, " ".join(words),
                          [(start + i * step, start + (i + 1) * step, " " + w, 0.9) for i, w in enumerate(words)])


def test_stretches_without_words_include_the_head_and_the_tail():
    segments = [segment(1.0, 3.0, ["a", "b"]), segment(6.5, 7.0, ["c"])]
    assert wordless_stretches(segments, duration_s=12.0, min_gap_s=2.0) == [(3.0, 6.5), (7.0, 12.0)]
    assert wordless_stretches(segments, duration_s=12.0, min_gap_s=0.5) == [(0.0, 1.0), (3.0, 6.5), (7.0, 12.0)]
    assert wordless_stretches([], duration_s=4.0, min_gap_s=2.0) == [(0.0, 4.0)]


@pytest.fixture(scope="module")
def transcriber():
    return get_transcriber(AsrSettings())


def test_a_skipped_sentence_is_decoded_again_and_a_silent_pause_is_not(tmp_path, transcriber):
    first, second = speech(FIRST, tmp_path), speech(SECOND, tmp_path)
    pause_s, first_s = 3.0, len(first) / SAMPLE_RATE
    audio = np.concatenate([first, silence(pause_s), second, silence(1.0)])
    second_at = first_s + pause_s
    calls = []

    def decode(samples):
        calls.append(len(samples) / SAMPLE_RATE)
        return transcriber.decode_segments(samples)

    heard_first = decode(audio[: int(first_s * SAMPLE_RATE)])  # as if the decode had stopped there
    assert any(seg.words for seg in heard_first)
    calls.clear()
    filled = with_gaps_filled(audio, heard_first, 2.0, decode)

    assert len(calls) == 1, "only the stretch holding the second sentence is decoded again"
    recovered = [w for seg in filled for w in seg.words if w[0] >= first_s]
    text = " ".join(w[2].strip(" .,").lower() for w in recovered)
    said = {"here", "the", "stroma", "around", "tumour", "tumor", "is", "fibrous", "and", "dense"}
    assert len(said & set(text.split())) >= 4, text
    assert min(w[0] for w in recovered) >= second_at - 1.0, "its words are placed where they were said"
    assert [s.start for s in filled] == sorted(s.start for s in filled)

    silent = np.concatenate([first, silence(4.0)])
    calls.clear()
    assert with_gaps_filled(silent, heard_first, 2.0, decode) == heard_first
    assert calls == [], "a pause without speech costs no decode"
