"""Labelled frames for classifier calibration: deterministic, every class present, boxes true."""

import json

import numpy as np
import pytest
from PIL import Image

from curation.demo.labelled import (
    CLASSES,
    LABELS_FILE,
    generate_labelled_frames,
    load_labelled_frames,
)
from curation.demo.tissue import stain_amounts, stained_section

PER_CLASS = 2


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    out = tmp_path_factory.mktemp("labelled")
    return out, generate_labelled_frames(out, PER_CLASS, seed=7)


def test_every_class_gets_its_count_of_readable_frames(labelled):
    _, frames = labelled
    assert sorted({label for _, label in frames}) == sorted(CLASSES)
    assert all(sum(label == c for _, label in frames) == PER_CLASS for c in CLASSES)
    for path, _ in frames:
        with Image.open(path) as image:
            assert image.size == (1280, 720) and image.format == "JPEG"


def test_same_seed_gives_identical_bytes_and_more_frames_only_add(labelled, tmp_path):
    _, frames = labelled
    again = generate_labelled_frames(tmp_path / "again", PER_CLASS + 1, seed=7)
    by_name = {p.name: p for p, _ in again}
    assert len(again) == len(frames) + len(CLASSES)
    assert all(path.read_bytes() == by_name[path.name].read_bytes() for path, _ in frames)


def test_another_seed_gives_other_frames(labelled, tmp_path):
    _, frames = labelled
    other = {p.name: p for p, _ in generate_labelled_frames(tmp_path / "test-split", PER_CLASS, seed=8)}
    assert all(p.read_bytes() != other[p.name].read_bytes() for p, _ in frames)


def test_a_finished_set_is_reused(labelled):
    out, frames = labelled
    before = {p: p.stat().st_mtime_ns for p, _ in frames}
    assert generate_labelled_frames(out, PER_CLASS, seed=7) == frames
    assert {p: p.stat().st_mtime_ns for p, _ in frames} == before
    assert json.loads((out / LABELS_FILE).read_text())["seed"] == 7


def _background_share(pixels: np.ndarray) -> float:
    """Share of pixels within 12 levels of the most common colour: high on a plain slide, low on tissue."""
    flat = pixels.reshape(-1, 3).astype(int)
    keys = (flat[:, 0] // 8) * 1024 + (flat[:, 1] // 8) * 32 + flat[:, 2] // 8
    key = np.bincount(keys).argmax()
    mode = np.array([key // 1024, (key // 32) % 32, key % 32]) * 8 + 4
    return float((np.abs(flat - mode).max(axis=1) <= 12).mean())


def test_histology_boxes_hold_the_tissue_and_other_classes_have_none(labelled):
    out, _ = labelled
    for frame in load_labelled_frames(out):
        if not frame.label.startswith("histology"):
            assert frame.histology_box is None
            continue
        x0, y0, x1, y1 = frame.histology_box
        assert 0 <= x0 < x1 <= 1280 and 0 <= y0 < y1 <= 720
        pixels = np.asarray(Image.open(frame.path).convert("RGB"))
        assert _background_share(pixels[y0:y1, x0:x1]) < 0.7, frame.path.name
        if frame.label == "histology_with_text":
            beside = pixels[:, :x0] if x0 > 1280 - x1 else pixels[:, x1:]
            assert _background_share(beside) > 0.75, frame.path.name


def test_invalid_count_is_refused(tmp_path):
    with pytest.raises(ValueError, match="per_class"):
        generate_labelled_frames(tmp_path, 0, seed=0)


def test_recolouring_puts_purple_on_nuclei_and_pink_elsewhere():
    haematoxylin, dab, _ = stain_amounts()
    he = stained_section("he").astype(int)
    nuclei, rest = he[haematoxylin > 0.5], he[haematoxylin < 0.1]
    assert nuclei.mean() < rest.mean() - 40  # nuclei are dark
    assert (nuclei[:, 2] > nuclei[:, 1]).mean() > 0.9  # purple: more blue than green
    assert (rest[:, 0] > rest[:, 2]).mean() > 0.9 and (rest[:, 2] > rest[:, 1]).mean() > 0.9  # pink
    ihc = stained_section("ihc-weak").astype(int)
    brown = ihc[(dab > 0.5) & (haematoxylin < 0.1)]
    assert (brown[:, 0] > brown[:, 2]).mean() > 0.9  # DAB stays brown: more red than blue
