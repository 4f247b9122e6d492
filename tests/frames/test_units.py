import numpy as np
import pytest
from skimage.metrics import structural_similarity

from curation.frames.decode import analysis_size, iter_samples
from curation.frames.dedup import find_cross_video_duplicates, mark_duplicates
from curation.frames.measure import hamming, perceptual_hash, sharpness
from curation.frames.median import median_image
from curation.frames.sampling import EvenSampler
from curation.frames.similarity import grey_stats, ssim
from curation.records import Keyframe, Keyframes
from tests.frames.synth import still, text_slide, tissue, write_video


def test_ssim_matches_scikit_image():
    rng = np.random.default_rng(1)
    grey = tissue(10, 10, 200)[..., 1]
    for noise in (0, 3, 10, 40):
        other = np.clip(grey + rng.normal(0, noise, grey.shape), 0, 255).astype(np.uint8)
        reference = structural_similarity(grey, other, data_range=255)
        assert ssim(grey_stats(grey), grey_stats(other)) == pytest.approx(reference, abs=1e-5)


def test_even_sampler_is_bounded_and_evenly_spaced():
    sampler = EvenSampler[int](9)
    for i in range(10_000):
        sampler.add(i)
        assert sampler.held <= 19
    picked = sampler.pick()
    assert len(picked) == 9 and picked[0] == 0
    gaps = np.diff(picked)
    assert gaps.min() > 0 and gaps.max() - gaps.min() <= sampler.stride
    assert picked[-1] > 9_000
    assert abs(sampler.middle() - 5_000) <= sampler.stride


def test_even_sampler_keeps_everything_when_short():
    sampler = EvenSampler[str](9)
    for item in "abcd":
        sampler.add(item)
    assert sampler.pick() == list("abcd")
    assert sampler.middle() in ("b", "c")


def test_median_image_equals_numpy_median_for_odd_counts():
    rng = np.random.default_rng(2)
    images = [rng.integers(0, 256, (17, 23, 3), dtype=np.uint8) for _ in range(7)]
    assert np.array_equal(
        median_image(images), np.median(np.stack(images), axis=0).astype(np.uint8)
    )


def test_median_image_takes_the_lower_middle_for_even_counts():
    images = [np.full((2, 2), v, np.uint8) for v in (9, 1, 5, 7)]
    assert (median_image(images) == 5).all()


def test_median_image_removes_a_moving_bright_square():
    background = tissue(50, 50, 150)
    frames = []
    for k in range(9):
        frame = background.copy()
        frame[20:40, 30 * k : 30 * k + 20] = 255
        frames.append(frame)
    assert np.array_equal(median_image(frames), background)


def test_median_image_rejects_mixed_shapes():
    with pytest.raises(ValueError, match="one shape"):
        median_image([np.zeros((2, 2), np.uint8), np.zeros((3, 2), np.uint8)])


def test_sharpness_ranks_a_blurred_copy_lower():
    import cv2

    sharp = tissue(0, 0, 256)
    assert sharpness(sharp) > 2 * sharpness(cv2.GaussianBlur(sharp, (9, 9), 3))


def test_perceptual_hash_separates_different_slides_and_joins_recompressed_copies():
    import cv2

    slide = tissue(0, 0, 256)
    _, jpeg = cv2.imencode(".jpg", slide, [cv2.IMWRITE_JPEG_QUALITY, 40])
    recompressed = cv2.imdecode(jpeg, cv2.IMREAD_UNCHANGED)
    assert hamming(perceptual_hash(slide), perceptual_hash(recompressed)) <= 4
    assert hamming(perceptual_hash(slide), perceptual_hash(tissue(256, 256, 256))) > 16
    assert hamming(perceptual_hash(slide), perceptual_hash(text_slide("Title"))) > 16


def keyframe(index, phash, sharp, video_id="v"):
    return Keyframe(
        video_id=video_id,
        index=index,
        frame_time=index,
        scene_start=0,
        scene_end=1,
        stable_start=0,
        stable_end=1,
        image_path=f"frames/{index:04d}.jpg",
        phash=phash,
        sharpness=sharp,
        width=4,
        height=4,
        samples=1,
    )


def test_mark_duplicates_keeps_the_sharpest_of_a_group():
    frames = [
        keyframe(0, "0000000000000000", 10.0),
        keyframe(1, "000000000000000f", 30.0),  # 4 bits from frame 0
        keyframe(2, "ffffffffffffffff", 5.0),
        keyframe(3, "00000000000000ff", 20.0),  # 8 from 0, 4 from 1
    ]
    marked = mark_duplicates(frames, max_distance=6)
    assert [k.duplicate_of for k in marked] == [1, None, None, 1]
    assert [k.duplicate_distance for k in marked] == [4, None, None, 4]
    assert mark_duplicates(frames, max_distance=3)[0].duplicate_of is None


def test_kept_frames_are_pairwise_far_apart():
    rng = np.random.default_rng(3)
    base = int(rng.integers(0, 2**63))
    frames = [
        keyframe(
            i,
            f"{base ^ int(rng.integers(0, 2**14)) << int(rng.integers(0, 40)):016x}"[-16:],
            float(rng.random()),
        )
        for i in range(60)
    ]
    kept = [k for k in mark_duplicates(frames, 10) if k.duplicate_of is None]
    assert 1 < len(kept) < 60
    assert all(hamming(a.phash, b.phash) > 10 for a in kept for b in kept if a.index < b.index)


def test_cross_video_duplicates_point_from_the_blurrier_copy_to_the_sharper_one():
    first = Keyframes(
        video_id="a",
        extractor_id="x",
        keyframes=[
            keyframe(0, "0f0f0f0f0f0f0f0f", 50.0, "a"),
            keyframe(1, "ffff0000ffff0000", 9.0, "a"),
        ],
    )
    second = [
        keyframe(0, "0f0f0f0f0f0f0f0e", 80.0, "b"),
        keyframe(1, "123456789abcdef0", 1.0, "b"),
        keyframe(2, "ffff0000ffff0001", 3.0, "b").model_copy(update={"duplicate_of": 1}),
    ]
    found = find_cross_video_duplicates({"a": first, "b": second}, max_distance=10)
    assert found == {("a", 0): ("b", 0)}


def test_analysis_size_keeps_aspect_and_never_upscales():
    assert analysis_size(1280, 720, 320) == (320, 180)
    assert analysis_size(200, 100, 320) == (200, 100)
    assert analysis_size(1920, 1080, 321)[1] % 2 == 0


def test_samples_follow_the_analysis_clock_and_slow_videos_yield_each_frame_once(tmp_path):
    fast = tmp_path / "fast.mp4"
    write_video(fast, [still(tissue(0, 0, 200), 3.0)], fps=15)
    times = [s.time for s in iter_samples(fast, 4.0, 160)]
    assert len(times) == 12  # one per tick of a 4 Hz clock over 3 s
    assert all(tick / 4 <= t < tick / 4 + 0.3 for tick, t in enumerate(times))
    slow = tmp_path / "slow.mp4"
    write_video(slow, [still(tissue(0, 0, 200), 3.0)], fps=2)
    samples = list(iter_samples(slow, 4.0, 160))
    assert [s.time for s in samples] == [0.5 * i for i in range(6)]
    assert samples[0].small_bgr.shape == (90, 160, 3)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        next(iter_samples(tmp_path / "none.mp4", 4.0, 320))
