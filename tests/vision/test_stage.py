from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curation.config import ClipSettings, Settings, VisionSettings
from curation.errors import InvalidArtifact
from curation.frames.stage import encode_jpeg
from curation.records import FrameLabels, Keyframe, Keyframes, VideoRef
from curation.store import Store
from curation.vision.stain import StainClassifier, load_model
from tests.fixtures.stages import run_alone

VIDEO = VideoRef("lec", "http://example/lec.mp4")


def store_with_keyframes(root: Path, images: list[np.ndarray], duplicates: dict[int, int]) -> Store:
    store = Store(root)
    keyframes = []
    for i, image in enumerate(images):
        name = f"frames/{i:04d}.jpg"
        store.write_bytes(store.video_path("lec", name), encode_jpeg(image, 92))
        keyframes.append(
            Keyframe(
                video_id="lec",
                index=i,
                frame_time=10.0 * i + 5,
                scene_start=10.0 * i,
                scene_end=10.0 * i + 10,
                stable_start=10.0 * i + 1,
                stable_end=10.0 * i + 9,
                image_path=name,
                phash="0" * 16,
                sharpness=1.0,
                width=image.shape[1],
                height=image.shape[0],
                samples=9,
                duplicate_of=duplicates.get(i),
            )
        )
    store.save("lec", Keyframes(video_id="lec", extractor_id="test", keyframes=keyframes))
    return store


@pytest.fixture
def lecture(labelled, tmp_path):
    frames = [
        labelled.of(name)[0]
        for name in ("histology_he", "histology_with_text", "slide_text", "person")
    ]
    images = [image for _, image in frames] + [frames[0][1]]
    return store_with_keyframes(tmp_path, images, duplicates={4: 0}), frames


def read_labels(store: Store) -> FrameLabels:
    return store.load("lec", FrameLabels)


def label_frames(store: Store, settings: Settings) -> dict[str, float]:
    return run_alone("labels", store, VIDEO, settings)


def test_every_kept_keyframe_gets_a_label_and_the_mixed_slide_is_cropped(lecture):
    store, frames = lecture
    metrics = label_frames(store, Settings())
    labels = read_labels(store)
    assert [label.index for label in labels.labels] == [0, 1, 2, 3]  # the duplicate is skipped
    he, mixed, text, person = labels.labels
    assert (he.label, he.stain) == ("histology", "he")
    assert (text.label, text.stain) == ("slide_text", "none")
    # a photo's type is the classifier's own (this grey cameraman sits between person and the
    # grey scans of "other"; test_stain measures the types): the stage records it, without a stain
    assert (person.label, person.stain) == (StainClassifier().classify([frames[3][1]])[0].label, "none")
    assert person.label in ("person", "other")
    assert mixed.label == "histology" and mixed.crop_box is not None
    x0, y0, x1, y1 = mixed.crop_box
    truth = frames[1][0].histology_box
    assert abs(x0 - truth[0]) <= 12 and abs(x1 - truth[2]) <= 12
    crop = Image.open(store.video_path("lec", mixed.crop_path))
    assert mixed.crop_path == "crops/0001.jpg" and crop.size == (x1 - x0, y1 - y0)
    assert labels.classifier_id == he.classifier_id == f"stain/{load_model().version}"
    assert metrics == {"frames": 4.0, "histology": 2.0, "cropped": 1.0}


def test_without_cropping_old_crops_are_removed(lecture):
    store, _ = lecture
    label_frames(store, Settings())
    label_frames(store, Settings(vision=VisionSettings(crop_histology=False)))
    assert all(
        label.crop_box is None and label.crop_path is None for label in read_labels(store).labels
    )
    assert not Path(store.video_path("lec", "crops")).exists()


def test_the_open_clip_backend_and_the_ensemble_run_in_the_stage(lecture, tiny_clip):
    store, _ = lecture
    clip = ClipSettings(architecture=str(tiny_clip.config), checkpoint=str(tiny_clip.checkpoint))
    label_frames(store, Settings(vision=VisionSettings(backend="open_clip", clip=clip)))
    labels = read_labels(store)
    assert labels.classifier_id == "open_clip/tiny-test-clip:tiny.pt"
    assert len(labels.labels) == 4 and all(
        0 <= label.histology_score <= 1 for label in labels.labels
    )

    uncropped = VisionSettings(backend="open_clip", clip=clip, crop_histology=False)
    label_frames(store, Settings(vision=uncropped))
    clip_scores = [label.histology_score for label in read_labels(store).labels]
    label_frames(store, Settings(vision=VisionSettings(crop_histology=False)))
    stain_scores = [label.histology_score for label in read_labels(store).labels]

    label_frames(
        store,
        Settings(vision=VisionSettings(backend="ensemble", ensemble_rule="any", clip=clip, crop_histology=False)),
    )
    labels = read_labels(store)
    assert (
        labels.classifier_id
        == f"ensemble-any(stain/{load_model().version},open_clip/tiny-test-clip:tiny.pt)"
    )
    # any-of: the higher of the two members' scores for every frame
    assert len(labels.labels) == len(clip_scores) == len(stain_scores) == 4
    for label, by_clip, by_stain in zip(labels.labels, clip_scores, stain_scores):
        assert label.histology_score == pytest.approx(max(by_clip, by_stain), abs=1e-4)
    assert labels.labels[0].label == "histology"


def test_missing_keyframes_are_a_clear_error(tmp_path):
    with pytest.raises(InvalidArtifact, match="keyframes.json: missing"):
        label_frames(Store(tmp_path), Settings())


def test_refitting_the_stain_model_changes_the_stage_fingerprint(tmp_path, monkeypatch):
    from curation.vision import stain
    from curation.vision.stage import fingerprint

    copy = tmp_path / "stain_model.json"
    copy.write_bytes(stain.MODEL_PATH.read_bytes())
    shipped = fingerprint(Settings())
    monkeypatch.setattr(stain, "MODEL_PATH", copy)
    assert fingerprint(Settings()) == shipped
    copy.write_text(copy.read_text().replace('"version": "', '"version": "refit-'))
    assert fingerprint(Settings()) != shipped
