import os

import pytest

from curation.errors import InvalidArtifact
from curation.records import CandidatePairs, Keyframes, StageStatus, Video
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


def test_artifacts_round_trip_and_are_validated_on_read(tmp_path):
    store = Store(tmp_path)
    video = Video(video_id="v1", url="http://x", file_name="video.mp4")
    store.save("v1", video)
    assert (tmp_path / "videos" / "v1" / "info.json").is_file()
    assert store.load("v1", Video) == video
    pairs = CandidatePairs(pairs=[])
    store.save("v1", pairs)
    assert store.load("v1", CandidatePairs) == pairs

    for damage, problem in [("{}", "not a valid Video: video_id: Field required"),
                            ('{"video_id": "v1", "url"', "not a valid Video"),
                            ('{"video_id": "v1", "url": "u", "extra": 1}', "extra: Extra inputs")]:
        (tmp_path / "videos" / "v1" / "info.json").write_text(damage)
        with pytest.raises(InvalidArtifact, match=problem):
            store.load("v1", Video)
    with pytest.raises(InvalidArtifact, match="keyframes.json: missing"):
        store.load("v1", Keyframes)


def test_pairs_stored_before_pairs_carried_their_unsure_words_still_load(tmp_path):
    old = ('{"pair_id": "p1", "video_id": "v1", "image_path": "videos/v1/frames/0000.jpg", "caption": "Nests.", '
           '"raw_caption": "Nests.", "text_type": "med", "text_start": 1.0, "text_end": 2.0, "frame_time": 1.5, '
           '"frame_start": 0.0, "frame_end": 3.0, "keyframe_index": 0, "histology_score": 0.9}\n')
    (tmp_path / "videos" / "v1").mkdir(parents=True)
    (tmp_path / "videos" / "v1" / "pairs.jsonl").write_text(old)
    [pair] = Store(tmp_path).load("v1", CandidatePairs).pairs
    assert (pair.pair_id, pair.uncertain, pair.text_confidence) == ("p1", [], 1.0)


@pytest.mark.parametrize("video_id", [".", "..", "...", ".hidden", "a/b", "", "x" * 129])
def test_no_video_id_resolves_outside_its_own_folder(tmp_path, video_id):
    store = Store(tmp_path)
    with pytest.raises(ValueError, match="not a valid video id"):
        store.video_dir(video_id)
    with pytest.raises(ValueError, match="not a valid video id"):
        store.save(video_id, Video(video_id=video_id, url="http://x"))
    assert not (tmp_path / "videos").exists()


def test_only_valid_video_folders_are_listed(tmp_path):
    store = Store(tmp_path)
    store.save("v1", Video(video_id="v1", url="http://x"))
    (tmp_path / "videos" / ".tmp-x").mkdir()
    (tmp_path / "videos" / "..." ).mkdir()
    assert store.video_ids() == ["v1"]


def test_replacing_a_stage_folder_swaps_it_whole(tmp_path):
    store = Store(tmp_path / "data")
    folder = tmp_path / "data" / "videos" / "v1"
    (folder / "frames").mkdir(parents=True)
    (folder / "frames" / "0099.jpg").write_bytes(b"old")
    (folder / "crops").mkdir()
    staging = tmp_path / "staging"
    (staging / "frames").mkdir(parents=True)
    (staging / "frames" / "0000.jpg").write_bytes(b"new")
    store.replace_entries("v1", staging, owned=("frames", "crops"))
    assert sorted(p.name for p in folder.iterdir()) == ["frames"], "the owned crops folder was not rewritten"
    assert [p.name for p in (folder / "frames").iterdir()] == ["0000.jpg"]
