"""The keyframes stage on a real demo lecture (built once into .cache/demo)."""

import numpy as np
import pytest

from curation.config import Settings
from curation.demo.build import render
from curation.demo.scripts import load_scripts
from curation.demo.truth import load_truth
from curation.frames.decode import iter_samples
from curation.frames.measure import hamming
from tests.frames.conftest import run_extraction

LECTURE = "lecture-01"


@pytest.fixture(scope="module")
def demo_run(demo_dir, tmp_path_factory):
    truth = load_truth(demo_dir / f"{LECTURE}.truth.json")
    return truth, run_extraction(
        tmp_path_factory.mktemp("demo-frames"), demo_dir / f"{LECTURE}.mp4"
    )


def test_every_slide_change_is_found_once(demo_run):
    truth, extracted = demo_run
    keyframes = extracted.keyframes.keyframes
    assert sorted(truth.slide_at(k.frame_time).index for k in keyframes) == [
        s.index for s in truth.slides
    ]
    kept = [k for k in keyframes if k.duplicate_of is None]
    assert (
        len({truth.slide_at(k.frame_time).picture for k in kept})
        == len(kept)
        == len({s.picture for s in truth.slides})
    )


def test_no_two_kept_frames_are_near_duplicates(demo_run):
    truth, extracted = demo_run
    kept = [k for k in extracted.keyframes.keyframes if k.duplicate_of is None]
    limit = Settings().frames.dedup_hamming
    assert len(kept) == len({s.picture for s in truth.slides}) > 1
    assert all(hamming(a.phash, b.phash) > limit for i, a in enumerate(kept) for b in kept[:i])


def bright_outliers(image: np.ndarray, clean: np.ndarray, box) -> int:
    """Pixels inside the picture much brighter than the clean slide: where a white pointer sits."""
    x0, y0, x1, y1 = box
    diff = image[y0:y1, x0:x1].astype(int).sum(axis=2) - clean[y0:y1, x0:x1].astype(int).sum(axis=2)
    return int((diff > 240).sum())


def test_the_median_erases_the_lecturers_pointer(demo_run, demo_dir):
    truth, extracted = demo_run
    slide = next(s for s in truth.slides if s.has_cursor)
    script = next(s for s in load_scripts() if s.video_id == LECTURE)
    clean = np.asarray(render(script, slide.index).image.convert("RGB"))
    (keyframe,) = [
        k for k in extracted.keyframes.keyframes if slide.start <= k.frame_time < slide.end
    ]
    median = extracted.image(keyframe.index)
    raw = [
        bright_outliers(s.full.to_ndarray(format="rgb24"), clean, slide.histology_box)
        for s in iter_samples(demo_dir / f"{LECTURE}.mp4", 1.0, 320)
        if slide.start + 1 < s.time < slide.end - 1
    ]
    assert max(raw) > 150  # the pointer shows on the frames...
    assert bright_outliers(median, clean, slide.histology_box) < 10  # ...not on their median
