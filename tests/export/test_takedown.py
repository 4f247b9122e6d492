from pathlib import Path

import pytest

from curation.config import Settings
from curation.export.build import build_version
from curation.export.takedown import (
    DEFAULT_TAKEDOWN,
    TOMBSTONE,
    Tombstone,
    blocked_ids,
    purge_media,
    read_takedown,
    takedown_list,
    tombstoned_ids,
    versions_containing,
)
from tests.export.conftest import read_stats

ROOT = Path(__file__).resolve().parents[2]


def stored_files(store, video_id):
    return sorted(p.rsplit(f"/{video_id}/", 1)[1] for p in store.iter_files(store.video_dir(video_id)))


def test_read_takedown_skips_comments_and_keeps_reasons(tmp_path):
    path = tmp_path / "takedown.csv"
    path.write_text("# one per line\nvideo_id,reason\nabc123,uploader request\n\nxyz789,\n")
    assert read_takedown(path) == {"abc123": "uploader request", "xyz789": ""}


@pytest.mark.parametrize("text", ["id,reason\nabc,x\n", ""])
def test_read_takedown_names_the_file_when_the_header_is_wrong(tmp_path, text):
    path = tmp_path / "takedown.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"{path}.*'video_id'"):
        read_takedown(path)


def test_the_shipped_list_is_the_default_only_where_it_exists(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    assert takedown_list(None) == DEFAULT_TAKEDOWN
    assert read_takedown(DEFAULT_TAKEDOWN) == {}  # the shipped list blocks nothing; it documents the format
    monkeypatch.chdir(tmp_path)
    assert takedown_list(None) is None
    assert takedown_list(str(DEFAULT_TAKEDOWN)) is None  # passing the default on is not naming a list
    assert takedown_list("typo.csv") == Path("typo.csv")


def test_a_named_list_that_does_not_exist_is_an_error(store, tmp_path):
    missing = tmp_path / "takedwon.csv"
    with pytest.raises(FileNotFoundError, match=f"takedown list {missing} does not exist"):
        blocked_ids(store, missing)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        build_version(store, Settings(), takedown=missing)


def test_purge_deletes_the_content_and_keeps_a_tombstone(store):
    before = stored_files(store, "lec-b")
    assert {"video.mp4", "frames/0000.jpg", "pairs.jsonl"} <= set(before)
    removed = purge_media(store, ["lec-b"], {"lec-b": "copyright claim"})
    assert sorted(p.split("lec-b/", 1)[1] for p in removed) == before
    assert stored_files(store, "lec-b") == [TOMBSTONE]
    tombstone = store.read_model(store.video_path("lec-b", TOMBSTONE), Tombstone)
    assert tombstone.reason == "copyright claim"
    assert sorted(p.split("lec-b/", 1)[1] for p in tombstone.removed) == before
    assert "frames/0000.jpg" in stored_files(store, "lec-a")  # other videos untouched

    assert purge_media(store, ["lec-b"]) == []  # a second purge has nothing left to remove
    again = store.read_model(store.video_path("lec-b", TOMBSTONE), Tombstone)
    assert (again.reason, again.removed, again.purged_at) == (tombstone.reason, tombstone.removed, tombstone.purged_at)


def test_a_purged_video_stays_out_of_new_versions_without_the_list(store):
    old = build_version(store, Settings())
    purge_media(store, ["lec-b"])
    assert tombstoned_ids(store) == {"lec-b"}
    assert versions_containing(store, "histo-pairs", {"lec-b", "lec-zzz"}) == {old.version: ["lec-b"]}
    record = build_version(store, Settings())
    stats = read_stats(store, record)
    assert "lec-b" not in stats["per_video"]
    assert stats["videos_taken_down"] == ["lec-b"]
    assert "lec-b" not in stats["videos_not_ready"]
    assert versions_containing(store, "histo-pairs", {"lec-b"}) == {old.version: ["lec-b"]}


def test_purging_an_unknown_video_still_blocks_it(store):
    assert purge_media(store, ["never-fetched"]) == []
    assert "never-fetched" in tombstoned_ids(store)
