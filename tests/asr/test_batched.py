"""Batched decoding and windowed audio, on real speech through the bundled tiny.en."""

from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from curation.asr import get_transcriber
from curation.asr.audio import BLOCK, SAMPLE_RATE, audio_windows
from curation.asr.faster import batch_size_for
from curation.config import AsrSettings
from tests.fixtures.media import make_narrated_clip


@pytest.fixture(scope="module")
def lecture(demo_dir: Path) -> Path:
    return demo_dir / "lecture-01.mp4"


def test_windows_cover_the_whole_audio_and_end_in_pauses(lecture):
    whole = decode_audio(str(lecture))
    windows = list(audio_windows(lecture, window_s=60))
    joined = np.concatenate([w.samples for w in windows])

    assert len(windows) >= 4 and np.array_equal(joined, whole)
    assert [w.offset_s for w in windows] == sorted({w.offset_s for w in windows})
    assert max(len(w.samples) for w in windows) <= 60 * SAMPLE_RATE
    loudness = np.sqrt(np.mean(np.square(whole)))
    for window in windows[1:]:
        at = round(window.offset_s * SAMPLE_RATE)
        around = whole[at - BLOCK // 2 : at + BLOCK // 2]
        assert np.sqrt(np.mean(np.square(around))) < 0.1 * loudness, window.offset_s
    assert [w.offset_s for w in audio_windows(lecture, window_s=600)] == [0.0]


def test_the_batch_size_follows_the_device_unless_set():
    assert (batch_size_for("cpu", None), batch_size_for("cuda", None)) == (0, 16)
    assert batch_size_for("cuda", 0) == 0 and batch_size_for("cpu", 3) == 3


def test_batched_words_repeat_exactly_and_keep_the_sequential_timing(tmp_path):
    first = make_narrated_clip(tmp_path / "first.mp4")
    other = make_narrated_clip(tmp_path / "other.mp4", "Benign nevus cells nest at the junction.", "gray")
    batched = get_transcriber(AsrSettings(batch_size=4))
    sequential = get_transcriber(AsrSettings())
    assert (batched.batch_size, sequential.batch_size) == (4, 0)

    once = batched.transcribe(first, "")
    batched.transcribe(other, "")  # a previous file must not shift the next one's word times
    again = batched.transcribe(first, "")
    reference = sequential.transcribe(first, "")

    assert once.words == again.words and once.segments == again.segments
    # batching decodes chunks, not 30 s windows: a word or two may differ, more so on some CPUs
    # (CT2_FORCE_CPU_ISA=GENERIC heard "us" for "the"), but the words that agree agree in time
    texts, reference_texts = [w.text for w in once.words], [w.text for w in reference.words]
    matcher = SequenceMatcher(None, texts, reference_texts)
    assert matcher.ratio() >= 0.85, (texts, reference_texts)
    same = [(once.words[i + k], reference.words[j + k])
            for i, j, n in matcher.get_matching_blocks() for k in range(n)]
    assert len(same) >= 0.85 * len(reference.words)
    assert max(abs(a.start - b.start) for a, b in same) < 0.3


def test_a_lecture_read_in_short_windows_keeps_its_words_at_their_times(lecture):
    whole = get_transcriber(AsrSettings(window_s=600)).transcribe(lecture, "")  # one window: 202 s
    windowed = get_transcriber(AsrSettings(window_s=60)).transcribe(lecture, "")

    assert windowed.duration_s == pytest.approx(whole.duration_s, abs=0.01)
    starts = [w.start for w in windowed.words]
    assert starts == sorted(starts) and starts[-1] > whole.duration_s - 30
    # other cuts give the decoder other context, so a few words are spelt otherwise; the words
    # both passes heard alike must be heard at the same moment
    spelt = [[w.text.lower().strip(".,?!") for w in t.words] for t in (whole, windowed)]
    pairs = [
        (whole.words[block.a + k], windowed.words[block.b + k])
        for block in SequenceMatcher(None, *spelt, autojunk=False).get_matching_blocks()
        for k in range(block.size)
    ]
    assert len(pairs) >= 0.85 * len(whole.words)
    offsets = sorted(abs(a.start - b.start) for a, b in pairs)
    assert offsets[int(0.97 * len(offsets))] < 0.5, offsets[-10:]
