import pytest

from curation.config import Settings
from curation.pipeline import run_stage
from curation.records import VideoRef
from curation.records import StageStatus, TextAnalysis, Transcript
from curation.store import Store
from curation.text.lexicon import load_lexicon
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.scoring import score, summary
from curation.text.stage import analyse, refine_text
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
    store.write_json(store.video_path(VIDEO.video_id, "transcript.json"), transcript)
    store.set_status(VIDEO.video_id, "asr", StageStatus(state="done", config_hash="asr-hash"))
    return store


def test_offline_and_llm_runs_write_the_same_kind_of_artifact_and_rerun_for_free(
    tmp_path, llm_server, llm_settings
):
    offline_settings = Settings(data_root=str(tmp_path / "offline"))
    offline_store = _store_with_transcript(offline_settings)
    offline_status, ran = run_stage("text", offline_store, VIDEO, offline_settings)
    assert ran and offline_status.state == "done"
    offline = offline_store.read_model(
        offline_store.video_path(VIDEO.video_id, "text.json"), TextAnalysis
    )

    llm_server.respond = good_answers
    llm_store = _store_with_transcript(llm_settings)
    llm_status, ran = run_stage("text", llm_store, VIDEO, llm_settings)
    assert ran and llm_status.state == "done"
    llm = llm_store.read_model(llm_store.video_path(VIDEO.video_id, "text.json"), TextAnalysis)

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
    _, ran = run_stage("text", llm_store, VIDEO, llm_settings)
    assert not ran, "a finished stage is skipped"
    llm_store.remove(llm_store.video_path(VIDEO.video_id, "text.json"))
    status, ran = run_stage("text", llm_store, VIDEO, llm_settings)
    assert ran and status.metrics["llm_requests"] == 0 and llm_server.requests == sent
    assert (
        llm_store.read_model(llm_store.video_path(VIDEO.video_id, "text.json"), TextAnalysis) == llm
    )


def test_bad_input_fails_with_a_message_naming_it(tmp_path):
    settings = Settings(data_root=str(tmp_path))
    with pytest.raises(ValueError, match="video lecture-x: transcript.json is missing"):
        refine_text(Store(settings.data_root), VIDEO, settings)
    store = _store_with_transcript(settings)
    with pytest.raises(ValueError, match="CURATION_TEXT__LLM__BASE_URL"):
        refine_text(store, VIDEO, Settings(data_root=str(tmp_path), text={"refiner": "llm"}))


@pytest.mark.slow
def test_offline_refiner_on_the_demo_lectures(demo_transcripts):
    """Issue 3's bar: half of raw ASR's medical-term errors fixed, wrong terms in at most 2% of sentences."""
    settings = Settings()
    refiner = OfflineRefiner(settings.text, load_lexicon(), default_matcher())
    scores = [
        score(truth, analyse(transcript, refiner, settings.text))
        for truth, transcript in demo_transcripts
    ]
    figures = summary(scores)
    assert figures["term_accuracy_refined"] > figures["term_accuracy_raw"]
    assert figures["errors_fixed"] >= 0.5, figures
    assert figures["terms_broken"] == 0, figures
    assert figures["sentences_with_wrong_term"] <= 0.02, figures
    assert figures["med_precision"] >= 0.85 and figures["roi_precision"] >= 0.6, figures
