import numpy as np

from curation.vision.crop import histology_region


def iou(a, b) -> float:
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_the_picture_beside_text_is_found(labelled):
    mixed = labelled.of("histology_with_text")
    boxes = [(frame.histology_box, histology_region(image)) for frame, image in mixed]
    found = [(truth, box) for truth, box in boxes if box is not None]
    assert len(found) >= 0.9 * len(mixed)
    assert np.mean([iou(truth, box) for truth, box in found]) >= 0.93


def test_full_screen_sections_are_not_cut(labelled):
    full = [
        image
        for frame, image in labelled.of("histology_he") + labelled.of("histology_ihc")
        if frame.histology_box == (0, 0, image.shape[1], image.shape[0])
    ]
    assert full
    assert sum(histology_region(image) is not None for image in full) <= 1


def test_a_framed_section_loses_its_black_bars(labelled):
    framed = [
        (f, image)
        for f, image in labelled.of("histology_he") + labelled.of("histology_ihc")
        if f.histology_box != (0, 0, image.shape[1], image.shape[0])
    ]
    assert framed
    for frame, image in framed:
        box = histology_region(image)
        assert box is not None
        x0, y0, x1, y1 = frame.histology_box
        assert x0 - 5 <= box[0] and box[2] <= x1 + 5 and y0 - 5 <= box[1] and box[3] <= y1 + 5


def test_text_slides_and_blank_frames_have_nothing_to_crop(labelled):
    for label in ("slide_text", "blank"):
        assert all(histology_region(image) is None for _, image in labelled.of(label))
