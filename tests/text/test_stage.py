import pytest

from curation.config import Settings
from curation.errors import InvalidArtifact
from curation.evaluation.text import score, summary
from curation.lexicon.lexicon import load_lexicon
from curation.pipeline import run_stage
from curation.records import SlideTexts, TextAnalysis, Transcript, Video, VideoRef
from curation.stages import STAGES
from curation.store import Store
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.stage import analyse
from tests.fixtures.stages import mark_done, run_alone
from tests.text.conftest import words_of
from tests.text.test_llm import SENTENCES, good_answers

VIDEO = VideoRef("lecture-x", "http://example/lecture-x.mp4")


def _store_with_transcript(settings: Settings) -> Store:
    store = Store(settings.data_root)
    transcript = Transcript(
        video_id=VIDEO.video_id,
        language="en",
        model_id="test",
        duration_s=60.0,
        segments=[],
        words=words_of(*SENTENCES),
    )
    store.save(VIDEO.video_id, transcript)
    store.save(VIDEO.video_id, SlideTexts(video_id=VIDEO.video_id, engine_id="test", frames=[]))
    store.save(VIDEO.video_id, Video(video_id=VIDEO.video_id, url=VIDEO.url, title="Lecture x"))
    mark_done(store, VIDEO.video_id, settings, before="text")
    return store


TEXT = STAGES["text"]


def test_offline_and_llm_runs_write_the_same_kind_of_artifact_and_rerun_for_free(
    tmp_path, llm_server, llm_settings
):
    offline_settings = Settings(data_root=str(tmp_path / "offline"))
    offline_store = _store_with_transcript(offline_settings)
    offline_status, ran = run_stage(TEXT, offline_store, VIDEO, offline_settings)
    assert ran and offline_status.state == "done"
    offline = offline_store.load(VIDEO.video_id, TextAnalysis)

    llm_server.respond = good_answers
    llm_store = _store_with_transcript(llm_settings)
    llm_status, ran = run_stage(TEXT, llm_store, VIDEO, llm_settings)
    assert ran and llm_status.state == "done"
    llm = llm_store.load(VIDEO.video_id, TextAnalysis)

    assert (
        offline.refiner_id == f"offline-lexicon:{load_lexicon().version}"
        and offline.prompt_versions == {}
        and offline.tokens_used == 0
    )
    assert llm.refiner_id == "llm:test-model" and set(llm.prompt_versions) == {
        "asr_correction",
        "med_roi_extraction",
    }
    assert [(s.start, s.end, s.raw) for s in llm.sentences] == [
        (s.start, s.end, s.raw) for s in offline.sentences
    ]
    assert [s.text for s in llm.sentences] == [s.text for s in offline.sentences]
    assert [s.is_med for s in llm.sentences] == [s.is_med for s in offline.sentences]
    assert (
        set(offline_status.metrics)
        == set(llm_status.metrics)
        == {"sentences", "corrections", "med", "roi", "tokens", "llm_requests"}
    )

    sent = llm_server.requests
    _, ran = run_stage(TEXT, llm_store, VIDEO, llm_settings)
    assert not ran, "a finished stage is skipped"
    llm_store.remove(llm_store.video_path(VIDEO.video_id, "text.json"))
    status, ran = run_stage(TEXT, llm_store, VIDEO, llm_settings)
    assert ran and status.metrics["llm_requests"] == 0 and llm_server.requests == sent
    assert llm_store.load(VIDEO.video_id, TextAnalysis) == llm


def test_bad_input_fails_with_a_message_naming_it(tmp_path):
    settings = Settings(data_root=str(tmp_path))
    with pytest.raises(InvalidArtifact, match="videos/lecture-x/transcript.json: missing"):
        run_alone("text", Store(settings.data_root), VIDEO, settings)
    store = _store_with_transcript(settings)
    with pytest.raises(ValueError, match="CURATION_TEXT__LLM__BASE_URL"):
        run_alone("text", store, VIDEO, Settings(data_root=str(tmp_path), text={"refiner": "llm"}))


def test_offline_refiner_on_the_demo_lectures(demo_transcripts):
    """The offline refiner on the frozen tiny.en transcripts of the demo lectures, so the figures
    are exact on every CPU. `bench/text_quality.py` prints them: raw term accuracy 0.510, refined
    0.701, errors fixed 0.389, no term broken, wrong terms in 1% of sentences, MED precision 0.955,
    ROI precision 0.767. Each bar sits a little below its figure; issue 12 raises the targets."""
    settings = Settings()
    refiner = OfflineRefiner(settings.text, load_lexicon(), default_matcher())
    scores = [
        score(truth, analyse(transcript, refiner, settings.text))
        for truth, transcript in demo_transcripts
    ]
    figures = summary(scores)
    assert figures["term_accuracy_refined"] >= figures["term_accuracy_raw"] + 0.15, figures
    assert figures["errors_fixed"] >= 0.35, figures
    assert figures["terms_broken"] == 0, figures
    assert figures["sentences_with_wrong_term"] <= 0.02, figures
    assert figures["med_precision"] >= 0.9 and figures["roi_precision"] >= 0.7, figures
