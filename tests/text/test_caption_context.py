"""Issue 12, the refiner's side: the video's vocabulary and hunspell-en-med as candidates, plurals
that exist, confidence from Whisper's probabilities with the lexicon, whole sentences, and the
LLM prompts carrying the video's context. Figures come from the frozen demo transcripts."""

import json

import pytest

from curation.config import TextSettings
from curation.evaluation.demo_context import demo_slides, demo_video
from curation.evaluation.text import caption_scores, score, summary
from curation.lexicon.lexicon import load_lexicon
from curation.lexicon.tokens import plural_forms
from curation.records import Transcript
from curation.slides.vocabulary import video_vocabulary
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.sentences import split_sentences
from curation.text.stage import analyse
from tests.text.conftest import Reply, is_correction_prompt, prompt_sentences, words_of


def _analyse(*sentences: str, vocabulary=(), probability=0.4):
    transcript = Transcript(
        video_id="v", language="en", model_id="t", duration_s=60.0, segments=[],
        words=words_of(*sentences, probability=probability),
    )
    refiner = OfflineRefiner(TextSettings(), load_lexicon(), default_matcher())
    return analyse(transcript, refiner, TextSettings(), list(vocabulary))


@pytest.fixture(scope="module")
def demo_runs(demo_transcripts):
    lexicon = load_lexicon()
    runs = {}
    for with_vocabulary in (False, True):
        analyses = []
        for truth, transcript in demo_transcripts:
            refiner = OfflineRefiner(TextSettings(), lexicon, default_matcher())
            video, slides = demo_video(truth.video_id), demo_slides(truth.video_id)
            vocabulary = video_vocabulary(video, slides, lexicon) if with_vocabulary else None
            analyses.append(analyse(transcript, refiner, TextSettings(), vocabulary))
        runs[with_vocabulary] = analyses
    return runs


def test_the_video_vocabulary_fixes_more_errors_and_breaks_no_term(demo_transcripts, demo_runs):
    figures = {
        with_vocabulary: summary([score(t, a) for (t, _), a in zip(demo_transcripts, analyses)])
        for with_vocabulary, analyses in demo_runs.items()
    }
    assert figures[True]["terms_broken"] == 0 and figures[False]["terms_broken"] == 0
    assert figures[True]["errors_fixed"] >= figures[False]["errors_fixed"] + 0.05  # 0.486 vs 0.389
    assert figures[True]["term_accuracy_refined"] >= 0.72  # measured 0.748


def test_confidence_marks_garbled_sentences_low(demo_transcripts, demo_runs):
    scores = [c for (t, _), a in zip(demo_transcripts, demo_runs[True]) for c in caption_scores(t, a)]
    garbled = [c for c in scores if c.garbled]
    clean = [c for c in scores if not c.garbled]
    assert len(garbled) >= 5 and len(clean) >= 50
    assert sum(c.confidence < 0.5 for c in garbled) >= 0.8 * len(garbled)  # measured 0.94
    assert sum(c.confidence >= 0.5 for c in clean) >= 0.45 * len(clean)  # measured 0.56


def test_a_misheard_term_on_the_slides_is_corrected_and_a_confident_phrase_is_not():
    said = "Here is a lengthened giant cell in the node."
    with_slides = _analyse(said, vocabulary=["Langhans giant cell"])
    assert with_slides.sentences[0].text == "Here is a Langhans giant cell in the node."
    assert _analyse(said).sentences[0].text == said
    confident = _analyse("It involves its full thickness.", vocabulary=["Breslow thickness"], probability=0.95)
    assert confident.sentences[0].text == "It involves its full thickness."


def test_a_word_two_letters_from_a_medical_dictionary_word_is_corrected():
    assert _analyse("The lesion is a rhinophymma.").sentences[0].text == "The lesion is a rhinophyma."


def test_plurals_are_real_plurals():
    forms = load_lexicon().forms
    assert plural_forms("bacillus") == {"bacilli"} and plural_forms("bacilli") == set()
    assert not {("bacillis",), ("fungis",), ("eosins",), ("acid", "fast", "bacillis")} & set(forms)
    assert ("silver", "stains") in forms and ("granulomas",) in forms
    fixed = _analyse("It shows acid fast bacillis in red rods.").sentences[0].text
    assert "bacillis" not in fixed and "acid-fast bacilli" in fixed


def test_confidence_and_uncertain_words_come_from_probabilities_and_the_lexicon():
    garbled = _analyse("The florp snat ishes are here.", probability=0.3).sentences[0]
    assert garbled.confidence < 0.5 and {"florp", "snat"} <= set(garbled.uncertain)
    clean = _analyse("The granuloma is here.", probability=0.99).sentences[0]
    assert clean.confidence == 1.0 and clean.uncertain == []
    corrected = _analyse("Here is a lengthened giant cell.", vocabulary=["Langhans giant cell"]).sentences[0]
    assert "lengthened" not in corrected.uncertain


def test_a_sentence_opened_by_a_capital_word_is_split_and_no_sentence_ends_on_a_function_word():
    words = words_of("please keep your microphone muted, By the end we will know", gap_s=0)
    texts = [s.text for s in split_sentences(words, load_lexicon())]
    assert texts == ["please keep your microphone muted,", "By the end we will know"]
    paused = words_of("the papillary dermis and the", "reticular dermis contain collagen.", gap_s=1.5)
    assert len(split_sentences(paused, load_lexicon())) == 1
    named = words_of("a Gram stain shows rods", gap_s=0)
    assert len(split_sentences(named, load_lexicon())) == 1


def test_the_llm_prompts_carry_the_video_vocabulary_and_the_guard_accepts_slide_terms(llm_server, llm_settings):
    from curation.store import Store
    from curation.text.stage import make_refiner

    def respond(body):
        if is_correction_prompt(body):
            return Reply(json.dumps({"conditioned": {"brachat": "Grocott", "tumour": "Grocott"}, "unconditioned": {}}))
        return Reply(json.dumps({"med": prompt_sentences(body), "roi": []}))

    llm_server.respond = respond
    transcript = Transcript(
        video_id="v", language="en", model_id="t", duration_s=60.0, segments=[],
        words=words_of("The brachat silver stain highlights the tumour fungi.", probability=0.4),
    )
    refiner = make_refiner(llm_settings.text, Store(llm_settings.data_root))
    analysis = analyse(transcript, refiner, llm_settings.text, ["Grocott", "fungi"], ["Grocott: fungi"])
    prompts = [b["messages"][-1]["content"] for b in llm_server.bodies]
    assert all('Lecture vocabulary (JSON list): ["Grocott", "fungi"]' in p for p in prompts)
    assert any('Slide text (JSON list): ["Grocott: fungi"]' in p for p in prompts)
    assert analysis.sentences[0].text == "The Grocott silver stain highlights the tumour fungi."
    assert {(c.wrong, c.applied) for c in analysis.corrections} == {("brachat", True), ("tumour", False)}
    assert analysis.prompt_versions == {"asr_correction": "2", "med_roi_extraction": "2"}
