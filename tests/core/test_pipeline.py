import shutil

import pytest

from curation.config import Settings
from curation.demo.server import serve_directory
from curation.errors import StageFailed
from curation.pipeline import run_stage
from curation.records import VideoRef
from curation.stages import STAGES
from curation.store import Store


@pytest.fixture()
def served_clip(tmp_path, narrated_clip):
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(narrated_clip, folder / "clip.mp4")
    with serve_directory(folder) as base_url:
        yield VideoRef("clip", f"{base_url}/clip.mp4")


def test_stages_skip_when_current_and_rerun_when_their_settings_change(tmp_path, served_clip):
    store = Store(tmp_path / "data")
    settings = Settings()
    assert run_stage(STAGES["fetch"], store, served_clip, settings)[1]
    asr_status, ran = run_stage(STAGES["asr"], store, served_clip, settings)
    assert ran and asr_status.metrics["words"] > 5
    assert not run_stage(STAGES["asr"], store, served_clip, settings)[1], "no second ASR"

    # a change to another stage's settings leaves ASR alone, and so does one to how fast it runs;
    # a change to what it computes re-runs it
    assert not run_stage(STAGES["asr"], store, served_clip, Settings(frames={"min_stable_s": 9}))[1]
    assert not run_stage(STAGES["asr"], store, served_clip, Settings(asr={"cpu_threads": 2, "parallel": 1}))[1]
    changed = Settings(asr={"beam_size": 1})
    assert run_stage(STAGES["asr"], store, served_clip, changed)[1]
    assert store.statuses("clip")["asr"].config_hash != asr_status.config_hash


def test_a_missing_media_file_is_fetched_again(tmp_path, served_clip):
    store = Store(tmp_path / "data")
    run_stage(STAGES["fetch"], store, served_clip, Settings())
    (tmp_path / "data" / "videos" / "clip" / "video.mp4").unlink()
    assert run_stage(STAGES["fetch"], store, served_clip, Settings())[1]


def test_a_stage_whose_input_failed_does_not_run(tmp_path):
    store = Store(tmp_path / "data")
    with pytest.raises(StageFailed, match="input stage 'fetch' has not finished"):
        run_stage(STAGES["asr"], store, VideoRef("nothing", "http://127.0.0.1:9/x.mp4"), Settings())
