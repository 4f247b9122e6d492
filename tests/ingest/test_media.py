"""Probing and verifying downloaded media, on files ffmpeg makes here, each broken in one way."""

import subprocess
import time
from pathlib import Path

import pytest

from curation.media import probe, verify_media


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def cut_in_half(source: Path, target: Path) -> Path:
    """What an interrupted download leaves: the first half of the bytes (`head -c`)."""
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.fixture(scope="module")
def ten_minute_lecture(tmp_path_factory) -> Path:
    """A 720p, 30 fps, 10-minute video with sound: ten seconds encoded, then looped by copying."""
    folder = tmp_path_factory.mktemp("lecture")
    part, lecture = folder / "part.mp4", folder / "lecture.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=pink:s=1280x720:r=30:d=10",
           "-f", "lavfi", "-i", "sine=f=300:sample_rate=16000:d=10",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "150", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "32k", str(part))
    ffmpeg("-stream_loop", "59", "-i", str(part), "-c", "copy", "-movflags", "+faststart",
           str(lecture))
    return lecture


def test_probe_reads_the_facts_of_a_narrated_clip(narrated_clip):
    info = probe(narrated_clip)
    assert (info.width, info.height) == (320, 240)
    assert info.fps == pytest.approx(10.0)
    assert info.has_audio
    assert 5 < info.duration_s < 20
    assert verify_media(narrated_clip) == info


def test_a_ten_minute_lecture_is_verified_in_well_under_a_second(ten_minute_lecture):
    started = time.perf_counter()
    info = verify_media(ten_minute_lecture)
    elapsed = time.perf_counter() - started
    assert 595 < info.duration_s < 605 and (info.width, info.height) == (1280, 720)
    assert elapsed < 0.5, f"verifying took {elapsed:.2f} s"


def test_a_slide_show_at_one_frame_a_second_is_accepted(tmp_path):
    # the decoder holds B-frames back to reorder them: only the final flush gives the last frame
    slides = tmp_path / "slides.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=1:d=20", "-f", "lavfi", "-i", "sine=d=20",
           "-c:v", "libx264", "-bf", "3", "-g", "10", "-pix_fmt", "yuv420p", "-c:a", "aac",
           "-movflags", "+faststart", str(slides))
    assert verify_media(slides).fps == pytest.approx(1.0)


def test_a_video_without_an_audio_track_is_refused_naming_the_missing_audio(
    tmp_path, narrated_clip
):
    silent = tmp_path / "silent.mp4"
    ffmpeg("-i", str(narrated_clip), "-an", "-c", "copy", str(silent))
    assert not probe(silent).has_audio
    with pytest.raises(ValueError, match=r"silent\.mp4 has no audio track"):
        verify_media(silent)


def test_a_file_without_a_video_stream_is_refused(tmp_path, narrated_clip):
    sound = tmp_path / "sound.m4a"
    ffmpeg("-i", str(narrated_clip), "-vn", "-c", "copy", str(sound))
    with pytest.raises(ValueError, match=r"sound\.m4a has no video stream"):
        verify_media(sound)


def test_a_file_whose_header_gives_no_duration_is_refused(tmp_path, narrated_clip):
    # Matroska written to a pipe cannot go back to write its duration: a live recording's case
    streamed = tmp_path / "streamed.mkv"
    with open(streamed, "wb") as out:
        subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(narrated_clip), "-c", "copy", "-f", "matroska",
             "-"], stdout=out, check=True,
        )
    with pytest.raises(ValueError, match=r"streamed\.mkv gives no duration"):
        verify_media(streamed)


def test_a_truncated_faststart_mp4_is_refused_although_its_header_gives_the_full_length(
    tmp_path, ten_minute_lecture
):
    cut = cut_in_half(ten_minute_lecture, tmp_path / "cut.mp4")
    assert probe(cut).duration_s == probe(ten_minute_lecture).duration_s  # the index is all there
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"cut\.mp4 is truncated: its video stream has no frame"):
        verify_media(cut)
    assert time.perf_counter() - started < 0.5


def test_a_truncated_short_clip_is_refused(tmp_path, narrated_clip):
    with pytest.raises(ValueError, match=r"clip\.mp4 is truncated"):
        verify_media(cut_in_half(narrated_clip, tmp_path / "clip.mp4"))


def test_an_mp4_cut_before_its_index_cannot_be_opened(tmp_path, narrated_clip):
    index_last = tmp_path / "index-last.mp4"
    ffmpeg("-i", str(narrated_clip), "-c", "copy", str(index_last))
    with pytest.raises(ValueError, match=r"index-last-cut\.mp4 cannot be opened"):
        verify_media(cut_in_half(index_last, tmp_path / "index-last-cut.mp4"))


def test_a_file_that_is_not_media_is_refused(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video at all" * 100)
    with pytest.raises(ValueError, match=r"junk\.mp4 cannot be opened"):
        verify_media(junk)
