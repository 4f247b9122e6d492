from typer.testing import CliRunner

from curation.cli import app
from curation.ingest.manifest import read_manifest, write_manifest
from curation.records import StageStatus, VideoRef
from curation.store import Store
from tests.fixtures.stages import mark_done

VIDEOS = [VideoRef("done-1", "http://x/1.mp4"), VideoRef("broke-2", "http://x/2.mp4"), VideoRef("new-3", "http://x/3.mp4")]


def test_failed_and_unfinished_videos_are_listed_with_their_reason_and_written_for_a_retry(tmp_path):
    store = Store(tmp_path / "data")
    mark_done(store, "done-1")
    mark_done(store, "broke-2", before="asr")
    store.set_status("broke-2", "asr", StageStatus(state="failed", reason="ValueError: no speech was recognised"))
    manifest, retry = tmp_path / "m.csv", tmp_path / "retry.csv"
    write_manifest(manifest, VIDEOS)
    result = CliRunner().invoke(app, ["failures", "-m", str(manifest), "--data", str(tmp_path / "data"),
                                      "--write", str(retry)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "2 of 3 videos not finished" in result.output
    assert "broke-2" in result.output and "no speech was recognised" in result.output
    assert "new-3" in result.output and "done-1" not in result.output
    assert read_manifest(retry) == VIDEOS[1:]


def test_failures_of_a_missing_root_is_a_one_line_error(tmp_path):
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, VIDEOS)
    result = CliRunner().invoke(app, ["failures", "-m", str(manifest), "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "no curated video in" in result.output
    assert not (tmp_path / "nowhere").exists()
