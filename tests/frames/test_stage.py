import numpy as np
import pytest

from curation.config import Settings
from curation.errors import InvalidArtifact
from curation.frames.decode import iter_samples
from curation.frames.measure import hamming
from curation.records import VideoRef
from curation.store import Store
from tests.fixtures.stages import run_alone
from tests.frames.conftest import SLIDE_A, run_extraction, store_with_video
from tests.frames.synth import cursor_path


def keyframe_in(extracted, bounds):
    start, end = bounds
    return [k for k in extracted.keyframes.keyframes if start <= k.frame_time < end]


def test_one_keyframe_per_slide_including_the_cross_faded_one(extracted, lecture):
    assert len(extracted.keyframes.keyframes) == len(lecture.shots)
    for bounds in lecture.shots:
        (keyframe,) = keyframe_in(extracted, bounds)
        assert bounds[0] - 0.01 <= keyframe.stable_start <= keyframe.stable_end <= bounds[1] + 0.01
        assert (
            keyframe.scene_start <= keyframe.stable_start
            and keyframe.stable_end <= keyframe.scene_end
        )


def test_stable_intervals_use_at_most_median_samples_frames(extracted, lecture):
    limit = Settings().frames.median_samples
    stable = [k for k in extracted.keyframes.keyframes if k.samples > 1]
    assert len(stable) == 4  # all but the panning shot
    assert all(k.samples == limit for k in stable)


def test_a_shot_without_stable_interval_falls_back_to_its_middle_frame(extracted, lecture):
    (pan,) = keyframe_in(extracted, lecture.shots[3])
    assert pan.samples == 1
    start, end = lecture.shots[3]
    assert abs(pan.frame_time - (start + end) / 2) < 0.5


def test_the_median_erases_the_moving_cursor(extracted, lecture):
    (keyframe,) = keyframe_in(extracted, lecture.shots[0])
    median = extracted.image(keyframe.index).astype(int)
    one_frame = next(s for s in iter_samples(lecture.path, 4.0, 320) if s.time >= 2.0)
    raw = np.asarray(one_frame.full.to_ndarray(format="rgb24")).astype(int)
    x, y = cursor_path(one_frame.time - lecture.shots[0][0])
    window = np.s_[y + 3 : y + 15, x + 1 : x + 6]  # inside the white arrow
    clean = SLIDE_A.astype(int)
    assert np.abs(raw[window] - clean[window]).mean() > 60  # the cursor is in the frame...
    assert np.abs(median[window] - clean[window]).mean() < 12  # ...and not in the median


def test_the_repeated_slide_is_a_near_duplicate_of_the_sharper_copy(extracted, lecture):
    (first,) = keyframe_in(extracted, lecture.shots[0])
    (again,) = keyframe_in(extracted, lecture.shots[4])
    dropped, kept = (first, again) if first.duplicate_of is not None else (again, first)
    assert dropped.duplicate_of == kept.index and kept.duplicate_of is None
    assert (
        dropped.duplicate_distance <= Settings().frames.dedup_hamming
        and kept.duplicate_distance is None
    )
    assert kept.sharpness >= dropped.sharpness
    assert extracted.metrics["near_duplicates"] == 1
    assert extracted.metrics["keyframes"] == len(lecture.shots) - 1


def test_no_two_kept_frames_are_near_duplicates(extracted):
    kept = [k for k in extracted.keyframes.keyframes if k.duplicate_of is None]
    limit = Settings().frames.dedup_hamming
    assert len(kept) >= 4
    assert all(hamming(a.phash, b.phash) > limit for a in kept for b in kept if a.index < b.index)


def test_two_runs_write_identical_frames(extracted, lecture, tmp_path):
    again = run_extraction(tmp_path, lecture.path)
    first_json = extracted.store.read_bytes(extracted.store.video_path("lec", "keyframes.json"))
    assert again.store.read_bytes(again.store.video_path("lec", "keyframes.json")) == first_json
    for keyframe in extracted.keyframes.keyframes:
        assert again.store.read_bytes(
            again.store.video_path("lec", keyframe.image_path)
        ) == extracted.store.read_bytes(extracted.store.video_path("lec", keyframe.image_path))


def test_a_rerun_leaves_no_stale_frames(lecture, tmp_path):
    store, video = store_with_video(tmp_path, lecture.path)
    stale = tmp_path / "videos" / "lec" / "frames" / "0099.jpg"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    run_alone("keyframes", store, video)
    assert not stale.exists()
    assert len(list(stale.parent.glob("*.jpg"))) == len(lecture.shots)


def test_missing_info_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidArtifact, match="info.json: missing"):
        run_alone("keyframes", Store(tmp_path), VideoRef("nope", "x"))


def test_a_corrupt_video_is_a_clear_error(tmp_path):
    media = tmp_path / "broken.mp4"
    media.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    store, video = store_with_video(tmp_path / "store", media)
    with pytest.raises(ValueError, match="cannot be opened|no video stream|no decodable frames"):
        run_alone("keyframes", store, video)
