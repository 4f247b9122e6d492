"""Manifest rows: blank rows skipped, errors at the real line, duplicates warned of, no escaping ids."""

import re
import warnings

import pytest

from curation.ingest.manifest import (
    DuplicateVideoWarning,
    read_manifest,
    read_manifests,
    write_manifest,
    youtube_url,
)
from curation.records import VideoRef


@pytest.fixture()
def manifest(tmp_path):
    def write(text: str, name: str = "m.csv"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def test_blank_rows_and_comments_are_skipped(manifest):
    path = manifest("video_id,url\n\n   \n,,\n , ,\t\n# a comment\nabc,http://x/abc.mp4\n\t\nlast,\n")
    assert read_manifest(path) == [
        VideoRef("abc", "http://x/abc.mp4"),
        VideoRef("last", "https://www.youtube.com/watch?v=last"),
    ]


def test_an_error_names_the_real_line_of_the_file(manifest):
    path = manifest("video_id,url\n# first\n\nok1,http://x\nbad id!,http://y\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}: line 5: 'bad id!' is not a valid video id")):
        read_manifest(path)


def test_a_row_spanning_lines_is_reported_at_its_first_line(manifest):
    path = manifest('video_id,url\n"a\nb",http://x\n')
    with pytest.raises(ValueError, match=re.escape(f"{path}: line 2: 'a\nb'")):
        read_manifest(path)


@pytest.mark.parametrize("video_id", [".", "..", "...", ".hidden", ""])
def test_an_id_that_is_no_folder_of_its_own_is_refused(manifest, video_id):
    path = manifest(f"video_id,url\nok1,http://x\n{video_id},http://y\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}: line 3: '{video_id}' is not a valid video id")):
        read_manifest(path)


def test_ids_with_inner_dots_are_kept(manifest):
    path = manifest("video_id,url\nlecture.01,http://x\na..b,http://y\n")
    assert [r.video_id for r in read_manifest(path)] == ["lecture.01", "a..b"]


def test_a_duplicate_id_with_another_url_keeps_the_first_and_says_so(manifest):
    path = manifest("video_id,url\nabc,http://first\nother,\nabc,http://second\n")
    with pytest.warns(DuplicateVideoWarning) as caught:
        refs = read_manifest(path)
    assert refs == [VideoRef("abc", "http://first"), VideoRef("other", "https://www.youtube.com/watch?v=other")]
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"{path}:2 (http://first) wins" in message
    assert f"{path}:4 (http://second) is ignored" in message


def test_a_duplicate_with_the_same_url_is_silent(manifest):
    path = manifest("abc,http://x\nabc,http://x\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_manifest(path) == [VideoRef("abc", "http://x")]


def test_a_duplicate_across_manifests_names_both_files(manifest, tmp_path):
    first = manifest("video_id,url\nabc,http://first\n", "a.csv")
    second = manifest("video_id,url\nnew,http://new\nabc,http://second\n", "b.csv")
    manifest("video_id,reason\nabc,asked\n", "takedown.csv")
    with pytest.warns(DuplicateVideoWarning, match=re.escape(f"{first}:2 (http://first) wins, {second}:3")):
        refs = read_manifests([tmp_path])
    assert refs == [VideoRef("abc", "http://first"), VideoRef("new", "http://new")]


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(f"manifest {tmp_path / 'gone.csv'} does not exist")):
        read_manifests([tmp_path / "gone.csv"])


@pytest.mark.parametrize("text", ["", "video_id,url\n", "# videos to come\nvideo_id,url\n\n,,\n"])
def test_a_manifest_without_videos_is_an_error(manifest, text):
    path = manifest(text)
    with pytest.raises(ValueError, match=re.escape(f"manifest {path} lists no video")):
        read_manifest(path)


def test_named_columns_carry_title_and_description_in_any_order(tmp_path):
    manifest = tmp_path / "m.csv"
    refs = [VideoRef("lec1", "http://x/1.mp4", title="Granulomas", description="Caseating, with Langhans cells")]
    write_manifest(manifest, refs)
    assert read_manifest(manifest) == refs
    manifest.write_text("title,video_id\nSpecial stains,lec2\n")
    assert read_manifest(manifest) == [VideoRef("lec2", youtube_url("lec2"), title="Special stains")]


def test_an_unknown_column_is_named(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("video_id,url,titel\nlec1,http://x,Granulomas\n")
    with pytest.raises(ValueError, match=r"m.csv: line 1: unknown column\(s\) titel"):
        read_manifest(manifest)
