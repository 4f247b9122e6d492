"""The repeat guard: a decode that loops on noisy audio loses no sentences, a clean one is untouched."""

from pathlib import Path

import pytest

from curation.asr import get_transcriber
from curation.config import AsrSettings
from curation.demo.build import build_demo_lectures
from curation.demo.truth import load_truth
from curation.evaluation.text import is_recognised
from tests.fixtures.demo import DEMO_CACHE

HARD_CACHE = DEMO_CACHE.with_name("demo-hard")


@pytest.fixture(scope="module")
def low_bitrate_lecture() -> Path:
    (video,) = build_demo_lectures(HARD_CACHE, only=["hard-04"], corpus="hard")
    return video


def recognised(video: Path, settings: AsrSettings) -> int:
    truth = load_truth(video.with_name(f"{video.stem}.truth.json"))
    words = get_transcriber(settings).transcribe(video, vocabulary="").words
    return sum(is_recognised(said, words) for said in truth.sentences)


def test_a_looping_decode_keeps_its_sentences(low_bitrate_lecture):
    # beam 8 on the 32 kb/s lecture loops ("duct-tuk-tok-tok...") over four of its ten sentences
    # unless the decoder may not repeat itself
    assert recognised(low_bitrate_lecture, AsrSettings(beam_size=8)) >= 8


def test_the_guard_leaves_a_decode_without_loops_alone(narrated_clip):
    guarded = get_transcriber(AsrSettings()).transcribe(narrated_clip, vocabulary="")
    unguarded = get_transcriber(AsrSettings(no_repeat_ngram_size=0)).transcribe(narrated_clip, vocabulary="")
    assert guarded.words and guarded == unguarded
