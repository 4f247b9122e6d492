import numpy as np
import pytest

from curation.config import VisionSettings
from curation.vision.factory import get_classifier
from curation.vision.protocol import HISTOLOGY
from curation.vision.real_images import dicom_rgb, photos, radiology_scans, real_sections
from curation.vision.refit import NOT_HISTOLOGY, calibration_set, fit_model
from curation.vision.stain import StainClassifier
from curation.vision.tissue_frames import CALIBRATION, HELD_OUT, tissue_frames


@pytest.fixture(scope="module")
def held_out():
    return tissue_frames(HELD_OUT, 6)


def test_real_pictures_come_from_wheels_with_source_and_licence():
    sections = real_sections()
    assert {s.kind for s in sections} == {"he", "fluorescence"}
    for s in sections:
        assert "==" in s.source and ".whl" not in s.source and s.licence
        assert s.rgb.dtype == np.uint8 and s.rgb.ndim == 3 and min(s.rgb.shape[:2]) >= 300
    assert all(p.source.startswith("skimage.data.") for p in photos())


def test_radiology_scans_are_read_from_the_pydicom_data_wheel():
    scans = radiology_scans()
    assert sorted({s.kind for s in scans}) == ["ct", "mr", "ultrasound", "x-ray"]
    for s in scans:
        assert s.source.startswith("pydicom-data==1.0.0:data_store/data/") and s.licence == "MIT"
        assert s.rgb.dtype == np.uint8 and s.rgb.ndim == 3 and s.rgb.shape[2] == 3
        assert 10 < s.rgb.mean() < 245 and s.rgb.std() > 20, s.name  # a picture, not a blank window
    with pytest.raises(ValueError, match="scan.dcm is not a DICOM image"):
        dicom_rgb(b"not a dicom file", "scan.dcm")


def test_held_out_frames_show_other_scans_than_calibration():
    sources = lambda split: {f.source for f in tissue_frames(split, 4) if f.group == "radiology"}
    assert len(sources(CALIBRATION)) == len(sources(HELD_OUT)) == 4
    assert not sources(CALIBRATION) & sources(HELD_OUT)


def test_held_out_frames_share_no_photo_with_calibration():
    sources = lambda split: {f.source for f in tissue_frames(split, 3) if f.group == "he_palette_photo"}
    assert sources(CALIBRATION) and sources(HELD_OUT)
    assert not sources(CALIBRATION) & sources(HELD_OUT)


def test_the_shipped_model_keeps_real_tissue_and_rejects_its_look_alikes(held_out):
    said = dict.fromkeys(f.group for f in held_out)
    labels = StainClassifier().classify([f.image for f in held_out])
    for group in said:
        said[group] = [c.label == HISTOLOGY for f, c in zip(held_out, labels) if f.group == group]
    assert sum(said["real_he"]) >= 5 and sum(said["low_power_islands"]) >= 5
    assert sum(said["special_stain"]) >= 4
    for look_alike in ("he_palette_photo", "pink_chart", "cell_cartoon", "fluorescence", "radiology"):
        assert not any(said[look_alike]), look_alike


def test_fluorescence_is_kept_only_when_the_settings_say_so(held_out):
    glowing = [f.image for f in held_out if f.group == "fluorescence"]
    default = get_classifier(VisionSettings()).classify(glowing)
    kept = get_classifier(VisionSettings(keep_as_histology=["fluorescence"])).classify(glowing)
    assert not any(c.label == HISTOLOGY for c in default)
    assert sum(c.label == HISTOLOGY for c in kept) >= len(glowing) - 1


def test_twenty_review_labels_change_the_labels_of_frames_like_them():
    """Reviewers of a project that wants no low-power overviews mark 20 of them not histology; the
    refitted model then rejects other overviews it never saw, and still keeps close-up fields."""
    calibration = calibration_set(per_group=8, demo_per_class=8)
    islands = [f.image for f in tissue_frames(HELD_OUT, 30) if f.group == "low_power_islands"]
    fields = [f.image for f in tissue_frames(HELD_OUT, 8) if f.group == "real_he"]
    reviewed, unseen = islands[:20], islands[20:]
    before = StainClassifier(model=fit_model(calibration, [], "before"))
    after = StainClassifier(model=fit_model(calibration, [(i, NOT_HISTOLOGY) for i in reviewed], "after"))
    kept = lambda classifier, images: sum(c.label == HISTOLOGY for c in classifier.classify(images))
    assert kept(before, unseen) >= 8
    assert kept(after, unseen) <= 2
    assert kept(after, fields) >= 6
