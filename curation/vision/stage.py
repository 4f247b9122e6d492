"""Stage `labels`: a frame type, histology score and stain tag for every kept keyframe.

Writes `labels.json` (records.FrameLabels); where the tissue picture of a mixed slide was
cropped, also `frames/NNNN-crop.jpg`, and the label carries the crop box and path.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image

from curation.config import Settings
from curation.frames.stage import encode_jpeg
from curation.records import FrameLabel, FrameLabels, Keyframes
from curation.store import Store
from curation.vision.factory import get_classifier
from curation.vision.labelling import label_images
from curation.vision.protocol import HISTOLOGY


def load_rgb(store: Store, path: str) -> np.ndarray:
    if not store.exists(path):
        raise ValueError(f"keyframe image {path} is missing; re-run the keyframes stage")
    return np.asarray(Image.open(io.BytesIO(store.read_bytes(path))).convert("RGB"))


def crop_name(image_path: str) -> str:
    stem, _, ext = image_path.rpartition(".")
    return f"{stem}-crop.{ext}"


def label_frames(store: Store, video, settings: Settings) -> dict[str, float]:
    video_id = video.video_id
    keyframes_path = store.video_path(video_id, "keyframes.json")
    if not store.exists(keyframes_path):
        raise ValueError(f"{keyframes_path} is missing: run the keyframes stage first")
    kept = [
        k for k in store.read_model(keyframes_path, Keyframes).keyframes if k.duplicate_of is None
    ]
    for stale in store.iter_files(store.video_path(video_id, "frames")):
        if stale.endswith("-crop.jpg"):
            store.remove(stale)
    classifier = get_classifier(settings.vision)
    images = [load_rgb(store, store.video_path(video_id, k.image_path)) for k in kept]
    verdicts = label_images(classifier, images, crop=settings.vision.crop_histology)

    labels = []
    for keyframe, image, verdict in zip(kept, images, verdicts):
        c = verdict.classification
        crop_path = None
        if verdict.crop_box is not None:
            x0, y0, x1, y1 = verdict.crop_box
            crop_path = crop_name(keyframe.image_path)
            store.write_bytes(
                store.video_path(video_id, crop_path),
                encode_jpeg(
                    np.ascontiguousarray(image[y0:y1, x0:x1]), settings.frames.jpeg_quality
                ),
            )
        labels.append(
            FrameLabel(
                index=keyframe.index,
                label=c.label,
                histology_score=c.histology_score,
                scores=c.scores,
                classifier_id=classifier.classifier_id,
                stain=c.stain,
                crop_box=verdict.crop_box,
                crop_path=crop_path,
            )
        )
    store.write_json(
        store.video_path(video_id, "labels.json"),
        FrameLabels(video_id=video_id, classifier_id=classifier.classifier_id, labels=labels),
    )
    return {
        "frames": float(len(labels)),
        "histology": float(sum(label.label == HISTOLOGY for label in labels)),
        "cropped": float(sum(label.crop_box is not None for label in labels)),
    }


def fingerprint(settings: Settings) -> str:
    """The calibrated stain model's content: refitting it re-runs this stage."""
    from curation.vision.stain import MODEL_PATH

    return "stain:" + hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()[:12]
