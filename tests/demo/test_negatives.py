"""The negative corpus: videos a histology search finds that are no narrated histology lecture,
each one what its script claims, read back from the built MP4 and its truth."""

from __future__ import annotations

import numpy as np

from curation.demo.scripts import HISTOLOGY_KINDS, load_scripts
from curation.demo.truth import load_truth, truth_path
from curation.demo.tts import SAMPLE_RATE
from tests.demo.media import audio_samples, frame_at
from tests.demo.negatives import negative_corpus

NEGATIVES = {s.video_id: s for s in load_scripts("negative")}
MIN_LENGTH_S = 120.0  # discover's default shortest video: a negative must reach triage


def kinds(video_id: str) -> set[str]:
    script = NEGATIVES[video_id]
    return {script.shown(i).kind for i in range(len(script.slides))}


def test_the_corpus_has_a_talking_head_radiology_music_and_a_foreign_narration():
    assert set(NEGATIVES) == {"neg-talking-head", "neg-radiology", "neg-music", "neg-german"}
    assert kinds("neg-talking-head") == {"photo"}
    assert "scan" in kinds("neg-radiology") and not kinds("neg-radiology") & set(HISTOLOGY_KINDS)
    assert NEGATIVES["neg-music"].audio.conditions == ["music", "no_speech"]
    assert kinds("neg-music") & set(HISTOLOGY_KINDS) and kinds("neg-german") & set(HISTOLOGY_KINDS)
    assert NEGATIVES["neg-german"].audio.voice == "de"
    assert all(s.audio.voice == "en-us" for name, s in NEGATIVES.items() if name != "neg-german")


def test_every_negative_is_long_enough_to_reach_triage_and_its_truth_says_what_it_is():
    negative_dir = negative_corpus()
    for video_id in NEGATIVES:
        truth = load_truth(truth_path(negative_dir, video_id))
        assert truth.corpus == "negative" and truth.duration_s >= MIN_LENGTH_S, video_id
    assert load_truth(truth_path(negative_dir, "neg-music")).sentences == [], "nobody speaks"
    assert load_truth(truth_path(negative_dir, "neg-german")).audio.voice == "de"
    radiology = load_truth(truth_path(negative_dir, "neg-radiology"))
    assert {s.kind for s in radiology.slides} == {"title", "scan", "text"}
    assert not any(s.histology for s in radiology.slides)


def test_a_scan_is_grey_on_black_and_the_music_has_no_voice():
    negative_dir = negative_corpus()
    radiology = load_truth(truth_path(negative_dir, "neg-radiology"))
    scan = next(s for s in radiology.slides if s.kind == "scan")
    frame = frame_at(negative_dir / "neg-radiology.mp4", (scan.start + scan.end) / 2)
    picture = frame[:, 520:1240]  # the scan's square, right of the title margin
    assert picture.mean() > 40, "the scan is drawn"
    assert np.abs(picture - picture.mean(axis=2, keepdims=True)).mean() < 3, "a scan has no colour"

    music = audio_samples(negative_dir / "neg-music.mp4", SAMPLE_RATE)
    spoken = audio_samples(negative_dir / "neg-talking-head.mp4", SAMPLE_RATE)
    assert np.sqrt(np.mean(music**2)) > 100, "the music is there"
    # a voice fills the speech band (300-3400 Hz) with formants; a piano bed of chords below 1200 Hz does not
    def speech_band_share(samples: np.ndarray) -> float:
        power = np.abs(np.fft.rfft(samples[: 60 * SAMPLE_RATE])) ** 2
        hz = np.fft.rfftfreq(min(len(samples), 60 * SAMPLE_RATE), 1 / SAMPLE_RATE)
        return float(power[(hz >= 1500) & (hz < 3400)].sum() / power[hz >= 50].sum())
    assert speech_band_share(music) < speech_band_share(spoken) / 5
