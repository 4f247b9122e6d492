import json
import shutil
import subprocess

import pytest

from curation.config import Settings
from curation.demo.server import serve_directory
from curation.errors import StageFailed
from curation.ingest.manifest import read_manifest, read_manifests
from curation.pipeline import run_stage
from curation.records import Video, VideoRef
from curation.stages import STAGES
from curation.store import Store
from tests.fixtures.media import make_narrated_clip

FETCH = STAGES["fetch"]


@pytest.fixture()
def site(tmp_path, narrated_clip):
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(narrated_clip, folder / "lecture.mp4")
    (folder / "broken.mp4").write_bytes(b"this is not a video at all" * 100)
    with serve_directory(folder) as base_url:
        yield base_url


def test_fetch_downloads_video_with_its_info(tmp_path, site, narrated_clip):
    store = Store(tmp_path / "data")
    ref = VideoRef("lec1", f"{site}/lecture.mp4")
    status, ran = run_stage(FETCH, store, ref, Settings())
    assert ran and status.state == "done"
    info = store.load("lec1", Video)
    media = tmp_path / "data" / "videos" / "lec1" / info.file_name
    assert media.read_bytes() == narrated_clip.read_bytes()
    assert info.width == 320 and info.height == 240
    assert 5 < info.duration_s < 20
    assert len(info.sha256) == 64
    assert json.loads((tmp_path / "data" / "videos" / "lec1" / "ytdlp-info.json").read_text())["extractor"] == "generic"
    assert not list((tmp_path / "data" / "videos" / "lec1").glob(".staging-*"))

    _, ran_again = run_stage(FETCH, store, ref, Settings())
    assert not ran_again


def test_unavailable_and_broken_videos_fail_clearly_and_are_recorded(tmp_path, site):
    store = Store(tmp_path / "data")
    with pytest.raises(StageFailed) as missing:
        run_stage(FETCH, store, VideoRef("gone", f"{site}/missing.mp4"), Settings())
    assert "gone" in str(missing.value) and "404" in missing.value.reason
    assert store.statuses("gone")["fetch"].state == "failed"

    with pytest.raises(StageFailed) as broken:
        run_stage(FETCH, store, VideoRef("bad", f"{site}/broken.mp4"), Settings())
    assert "bad" in str(broken.value)
    assert store.statuses("bad")["fetch"].state == "failed"
    assert not store.exists(store.video_path("bad", "info.json"))


def test_fetch_refuses_videos_over_the_duration_limit(tmp_path, site):
    store = Store(tmp_path / "data")
    settings = Settings(fetch={"max_duration_s": 2})
    with pytest.raises(StageFailed, match="max_duration_s"):
        run_stage(FETCH, store, VideoRef("long", f"{site}/lecture.mp4"), settings)


def test_manifest_rows_with_only_an_id_are_youtube_videos(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("video_id,url\n# a comment\nabc123,\nlocal1,http://127.0.0.1:1/x.mp4\nabc123,http://dup\n")
    refs = read_manifest(manifest)
    assert [r.video_id for r in refs] == ["abc123", "local1"]
    assert refs[0].url == "https://www.youtube.com/watch?v=abc123"
    (tmp_path / "takedown.csv").write_text("video_id,reason\nabc123,asked\n")
    assert [r.video_id for r in read_manifests([tmp_path])] == ["abc123", "local1"]


def test_manifest_with_a_bad_id_names_the_file_and_row(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("video_id,url\nok1,http://x\nbad id!,http://y\n")
    with pytest.raises(ValueError, match=r"m.csv: line 3: 'bad id!'"):
        read_manifest(manifest)


@pytest.fixture()
def faulty_site(tmp_path, narrated_clip):
    folder = tmp_path / "faulty"
    folder.mkdir()
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(narrated_clip), "-an", "-c", "copy",
                    str(folder / "silent.mp4")], check=True)
    data = narrated_clip.read_bytes()  # its index is at the front (+faststart): the header promises it all
    (folder / "cut.mp4").write_bytes(data[: len(data) // 2])
    make_narrated_clip(folder / "german.mp4", GERMAN, voice="de")
    with serve_directory(folder) as base_url:
        yield base_url


GERMAN = ("Guten Morgen, heute sprechen wir über das Wetter in den Bergen und über die Züge, "
          "die jeden Morgen pünktlich in den Bahnhof einfahren, und über das Frühstück danach.")


@pytest.mark.parametrize(("name", "problem"), [
    ("silent", "has no audio track"),
    ("cut", "is truncated"),
])
def test_media_unfit_for_curation_fails_at_fetch_with_the_reason(tmp_path, faulty_site, name, problem):
    store = Store(tmp_path / "data")
    with pytest.raises(StageFailed) as failed:
        run_stage(FETCH, store, VideoRef(name, f"{faulty_site}/{name}.mp4"), Settings())
    assert problem in failed.value.reason and f"videos/{name}" in failed.value.reason
    assert store.statuses(name)["fetch"].reason == failed.value.reason
    assert not (tmp_path / "data" / "videos" / name / f"{name}.mp4").exists()
    assert not list((tmp_path / "data" / "videos" / name).glob("video.*")), "nothing half-fetched stays"


def test_narration_in_another_language_is_kept_out_with_a_reason(tmp_path, faulty_site):
    store = Store(tmp_path / "data")
    video = VideoRef("german", f"{faulty_site}/german.mp4")
    run_stage(FETCH, store, video, Settings())
    with pytest.raises(StageFailed, match="the narration is probably not English"):
        run_stage(STAGES["asr"], store, video, Settings())
    assert not store.exists(store.video_path("german", "transcript.json"))
