import os

import pytest

from curation.records import StageStatus, Video
from curation.store import Store


def test_json_round_trip_and_statuses(tmp_path):
    store = Store(tmp_path)
    video = Video(video_id="v1", url="http://x")
    store.write_json(store.video_path("v1", "info.json"), video)
    assert store.read_model(store.video_path("v1", "info.json"), Video) == video
    store.set_status("v1", "fetch", StageStatus(state="done", config_hash="abc"))
    store.set_status("v1", "asr", StageStatus(state="failed", reason="no speech"))
    assert {k: v.state for k, v in store.statuses("v1").items()} == {"fetch": "done", "asr": "failed"}
    assert store.video_ids() == ["v1"]


def test_a_crash_while_writing_leaves_the_old_file_whole(tmp_path, monkeypatch):
    store = Store(tmp_path)
    path = store.video_path("v1", "text.json")
    store.write_json(path, {"version": 1})

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.write_json(path, {"version": 2})
    assert store.read_json(path) == {"version": 1}
    assert [p.name for p in (tmp_path / "videos" / "v1").iterdir()] == ["text.json"]


def test_object_storage_roots_work_through_fsspec():
    store = Store("memory://curation-test")
    store.write_json(store.video_path("v1", "info.json"), {"a": 1})
    assert store.read_json(store.video_path("v1", "info.json")) == {"a": 1}
    with pytest.raises(ValueError, match="local data root"):
        store.local_path(store.video_path("v1", "info.json"))
