"""Telling English narration from other languages, on espeak-ng speech transcribed by tiny.en."""

import json
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from curation.asr import get_transcriber
from curation.asr.language import language_figures, why_not_english
from curation.config import AsrSettings
from curation.demo.scripts import parse_line
from curation.lexicon.lexicon import glossary_hotwords
from curation.records import Word

# ordinary sentences, then histology ones, as a lecturer abroad would say them
NARRATION = {
    "de": "Guten Morgen, heute sprechen wir über das Wetter in den Bergen. Im Sommer ist es warm, "
    "aber im Winter liegt viel Schnee. Meine Familie wohnt in einer kleinen Stadt in der Nähe von "
    "München. Hier sehen Sie ein Plattenepithelkarzinom mit Hornperlen. Die Tumorzellen haben ein "
    "eosinophiles Zytoplasma und große Zellkerne.",
    "es": "Buenos días, hoy vamos a hablar del tiempo en las montañas. En verano hace calor, pero "
    "en invierno hay mucha nieve. Mi familia vive en un pueblo pequeño cerca de Madrid. Aquí "
    "pueden ver un carcinoma de células escamosas con perlas de queratina. Las células tumorales "
    "tienen citoplasma eosinófilo y núcleos grandes.",
    "fr": "Bonjour à tous, aujourd'hui nous allons parler du temps qu'il fait à la montagne. En "
    "été il fait chaud, mais en hiver il y a beaucoup de neige. Ma famille habite dans une petite "
    "ville près de Lyon. Ici vous voyez un carcinome épidermoïde avec des perles de kératine. Les "
    "cellules tumorales ont un cytoplasme éosinophile et de gros noyaux.",
}


def spoken(text: str, voice: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), "--", text], check=True)
    return path


def transcript_words(media: Path, hotwords: bool) -> list[Word]:
    """The words as the ASR stage gets them: bundled tiny.en, with or without the glossary bias."""
    vocabulary = glossary_hotwords() if hotwords else ""
    return get_transcriber(AsrSettings()).transcribe(media, vocabulary).words


def english_lecture() -> str:
    """The first ten spoken sentences of the first demo lecture: greetings, then histology."""
    lecture = json.loads((resources.files("curation.demo") / "lectures.json").read_text())[0]
    lines = [parse_line(s).text for slide in lecture["slides"] for s in slide.get("say", [])]
    return " ".join(lines[:10])


@pytest.mark.parametrize("voice, hotwords", [("en-us", True), ("en-gb", False)])
def test_english_histology_narration_reads_as_english(tmp_path, voice, hotwords):
    words = transcript_words(spoken(english_lecture(), voice, tmp_path / "en.wav"), hotwords)
    assert len(words) > 100
    assert why_not_english(words) is None, language_figures(words)


@pytest.mark.parametrize(
    "language, hotwords, reason",
    [
        ("de", True, "probably not English"),  # by repeats or by unknown words, as the CPU's kernels decode it
        ("es", True, "probably not English"),
        ("fr", False, "repeats itself"),
    ],
)
def test_narration_in_another_language_is_refused_with_a_reason(
    tmp_path, language, hotwords, reason
):
    speech = spoken(NARRATION[language], language, tmp_path / f"{language}.wav")
    words = transcript_words(speech, hotwords)
    assert words, "tiny.en writes something for any speech"
    found = why_not_english(words)
    assert found is not None and reason in found, language_figures(words)


def words_of(text: str, probability: float = 0.9) -> list[Word]:
    return [
        Word(start=i, end=i + 0.5, text=" " + token, probability=probability)
        for i, token in enumerate(text.split())
    ]


LECTURE = (
    "Here you can see squamous cell carcinoma with keratin pearls. The tumour cells show "
    "eosinophilic cytoplasm and large nuclei, and at the edge of each nest the nuclei line up "
    "in a palisade."
)


def test_a_loop_of_fluent_english_is_refused_for_repeating_itself():
    loop = words_of("I'm going to say that " * 30, probability=0.93)
    figures = language_figures(loop)
    assert figures.english_share == 1.0 and figures.mean_probability > 0.9
    assert "repeats itself" in why_not_english(loop)
    assert why_not_english(words_of(LECTURE)) is None


def test_words_no_dictionary_knows_are_refused():
    garbled = words_of("bontia tautus vasor rutin ponta nunta yus the cells of the tumour")
    assert language_figures(garbled).english_share < 0.5
    assert "dictionary" in why_not_english(garbled)
    assert why_not_english(garbled, min_english_share=0.3) is None  # the bar is a parameter


def test_words_the_model_was_unsure_of_are_refused():
    unsure = words_of(LECTURE, probability=0.3)
    assert "mean word probability is 0.30" in why_not_english(unsure)
    assert why_not_english(unsure, min_mean_probability=0.2) is None


def test_punctuation_numbers_and_short_words_are_not_judged():
    figures = language_figures(words_of("CD20 and H&E , la en of " + LECTURE))
    assert figures.english_share == 1.0


def test_long_narration_that_comes_back_to_its_script_reads_as_english_but_a_loop_in_it_does_not():
    """Over an hour a lecture comes back to what it said (the bench's hour lecture is the demo
    narration several times over), which counted over the whole transcript reads as a decoding
    loop; counted passage by passage it does not."""
    lectures = json.loads((resources.files("curation.demo") / "lectures.json").read_text())
    script = " ".join(parse_line(s).text for lecture in lectures for slide in lecture["slides"]
                      for s in slide.get("say", []))
    six_times = words_of(" ".join([script] * 6))
    assert len(six_times) > 6 * 1000
    assert why_not_english(six_times) is None, language_figures(six_times)
    looping = words_of(script + " I'm going to say that" * 2000)
    assert "repeats itself" in why_not_english(looping)


def test_a_transcript_of_only_punctuation_has_figures_and_is_refused():
    """A decode that gives only marks (tiny.en on some noise) leaves no word to judge."""
    marks = words_of("... - ... !")
    figures = language_figures(marks)
    assert figures.repeated_trigram_share == 0.0 and figures.english_share == 0.0
    assert "dictionary" in why_not_english(marks)
