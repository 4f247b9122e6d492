"""The hard corpus: each audio condition it claims is really in the MP4, measured on the decoded
audio in the pauses between sentences, where only the mixed-in sounds are."""

import numpy as np
import pytest

from curation.demo.audio import CHORDS_HZ, HUM_HZ
from curation.demo.build import build_demo_lectures, build_lecture
from curation.demo.scripts import LectureScript, load_scripts
from curation.demo.truth import load_truth, truth_path
from curation.demo.tts import SAMPLE_RATE
from tests.demo.media import audio_samples, probe

HARD = {s.video_id: s for s in load_scripts("hard")}
NOTES_HZ = sorted({note for chord in CHORDS_HZ for note in chord})


def _with_all_conditions() -> LectureScript:
    """A two-slide lecture under every condition at once, so one short build shows them all."""
    return LectureScript.model_validate({
        "video_id": "all-conditions", "title": "All conditions", "theme": {},
        "page": {"description": "Every audio condition of the hard corpus."},
        "audio": {"conditions": ["music", "hum_noise", "fast_speech", "low_bitrate"],
                  "words_per_minute": 200, "bitrate_kbps": 32},
        "slides": [
            {"kind": "title", "title": "Conditions", "say": ["A [Ziehl-Neelsen] stain shows red rods.",
                                                             "The [Grocott] stain shows fungi."]},
            {"kind": "histology", "view": {}, "title": "Fungi", "label": {"stain": "Grocott", "magnification": "x40"},
             "say": ["Here the [Masson trichrome] stain is blue.", "And [HER2] is three plus, with [Ki-67] high."]},
        ],
    })


@pytest.fixture(scope="module")
def all_conditions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("all-conditions")
    video = build_lecture(_with_all_conditions(), "test", folder)
    return load_truth(truth_path(folder, video.stem)), video


@pytest.fixture(scope="module")
def hum_lecture(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard")
    (video,) = build_demo_lectures(folder, only=["hard-02"], corpus="hard")
    return load_truth(truth_path(folder, "hard-02")), video


def pauses(truth, audio: np.ndarray) -> list[np.ndarray]:
    """The audio between consecutive sentences, 50 ms in from each, where nobody speaks."""
    return [audio[int((a.end + 0.05) * SAMPLE_RATE): int((b.start - 0.05) * SAMPLE_RATE)]
            for a, b in zip(truth.sentences, truth.sentences[1:]) if b.start - a.end > 0.3]


def power_in(samples: np.ndarray, low: float, high: float) -> float:
    frequencies = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    return float(power[(frequencies >= low) & (frequencies < high)].mean())


def level_db(samples: np.ndarray, reference: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(samples**2)) / np.sqrt(np.mean(reference**2))))


def speech_of(truth, audio: np.ndarray) -> np.ndarray:
    return np.concatenate([audio[int(s.start * SAMPLE_RATE): int(s.end * SAMPLE_RATE)] for s in truth.sentences])


def test_the_hard_corpus_has_every_condition_and_short_lectures_with_hard_terms():
    assert 4 <= len(HARD) <= 5
    assert {c for s in HARD.values() for c in s.audio.conditions} == {"music", "hum_noise", "fast_speech", "low_bitrate"}
    terms = {t for s in HARD.values() for slide in s.slides for line in slide.lines() for t in line.terms}
    assert {"Ziehl-Neelsen", "Grocott", "Masson trichrome", "HER2", "Ki-67", "Reed-Sternberg cell",
            "Kimmelstiel-Wilson nodules", "diffuse large B-cell lymphoma"} <= terms
    demo_terms = {t for s in load_scripts() for slide in s.slides for line in slide.lines() for t in line.terms}
    assert len(terms - demo_terms) > 2 / 3 * len(terms)  # mostly terms the demo lectures never say


def test_a_hard_lecture_lasts_about_a_minute_and_its_truth_names_its_conditions(hum_lecture):
    truth, video = hum_lecture
    assert truth.corpus == "hard" and truth.audio.conditions == ["hum_noise"]
    assert set(truth.audio.levels_db) == {"hum", "noise"}
    assert 40 <= truth.duration_s <= 75
    assert float(probe(video)["format"]["duration"]) == pytest.approx(truth.duration_s, abs=0.2)
    assert (video.parent / truth.page.path).is_file()


def above(samples: np.ndarray, cut_hz: float) -> np.ndarray:
    """The samples with everything below `cut_hz` removed."""
    spectrum = np.fft.rfft(samples)
    spectrum[np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE) < cut_hz] = 0
    return np.fft.irfft(spectrum, len(samples))


def test_mains_hum_and_a_noise_floor_fill_the_pauses(hum_lecture, demo_dir):
    truth, video = hum_lecture
    audio = audio_samples(video, SAMPLE_RATE)
    gaps = pauses(truth, audio)
    assert len(gaps) >= 5
    for gap in gaps:
        assert power_in(gap, HUM_HZ - 2, HUM_HZ + 2) > 50 * power_in(gap, 60, 90)  # a line at 50 Hz
        assert power_in(gap, 3 * HUM_HZ - 2, 3 * HUM_HZ + 2) > 20 * power_in(gap, 160, 190)  # and its third harmonic
        low, high = power_in(gap, 2000, 4000), power_in(gap, 6000, 8000)
        assert 0.5 < low / high < 2  # above the hum, the floor is white noise
    speech = speech_of(truth, audio)
    assert -21 < level_db(np.concatenate(gaps), speech) < -15  # hum at -20 dB and noise at -22 dB together
    assert -25 < level_db(np.concatenate([above(g, 1000) for g in gaps]), speech) < -20  # the noise alone
    clean = load_truth(truth_path(demo_dir, "lecture-01"))
    clean_audio = audio_samples(demo_dir / "lecture-01.mp4", SAMPLE_RATE)
    assert np.sqrt(np.mean(np.concatenate(pauses(clean, clean_audio)) ** 2)) < 2  # clean lectures are silent there


def test_background_music_plays_its_notes_in_the_pauses(all_conditions):
    truth, video = all_conditions
    audio = audio_samples(video, SAMPLE_RATE)
    long_gaps = [g for g in pauses(truth, audio) + [audio[: int(truth.sentences[0].start * SAMPLE_RATE)]]
                 if len(g) > 0.4 * SAMPLE_RATE]
    assert long_gaps
    for gap in long_gaps:
        frequencies = np.fft.rfftfreq(len(gap), 1 / SAMPLE_RATE)
        power = np.abs(np.fft.rfft(gap * np.hanning(len(gap)))) ** 2
        band = (frequencies > 160) & (frequencies < 1000)
        loudest = frequencies[band][np.argmax(power[band])]
        assert min(abs(loudest - note) for note in NOTES_HZ) < 4, loudest


def test_fast_speech_is_spoken_at_about_two_hundred_words_a_minute(all_conditions, demo_dir):
    def rate(truth) -> float:
        return 60 * sum(len(s.text.split()) for s in truth.sentences) / sum(s.end - s.start for s in truth.sentences)

    truth, _ = all_conditions
    assert truth.audio.words_per_minute == 200
    assert 180 <= rate(truth) <= 230
    assert rate(load_truth(truth_path(demo_dir, "lecture-01"))) < 165


def test_low_bitrate_audio_is_encoded_at_32_kbps(all_conditions, demo_dir):
    def audio_kbps(path) -> float:
        return next(int(s["bit_rate"]) for s in probe(path)["streams"] if s["codec_type"] == "audio") / 1000

    truth, video = all_conditions
    assert truth.audio.bitrate_kbps == 32
    assert audio_kbps(video) <= 42  # AAC at 32 kb/s, container overhead included
    assert audio_kbps(demo_dir / "lecture-01.mp4") >= 60  # the clean lectures' 64 kb/s


def test_a_folder_holds_the_lectures_of_one_corpus(hum_lecture):
    _, video = hum_lecture
    with pytest.raises(ValueError, match="not in corpus 'demo'.*hard-02"):
        build_demo_lectures(video.parent, only=["lecture-01"])
