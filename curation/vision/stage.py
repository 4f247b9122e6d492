"""Stage `labels`: a frame type, histology score and stain tag for every kept keyframe.

Returns records.FrameLabels; where the tissue picture of a mixed slide was cropped, the crop is
written to `crops/NNNN.jpg` and the label carries the crop box and path.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image

from curation.config import Settings
from curation.frames.stage import encode_jpeg
from curation.pipeline import StageContext
from curation.records import FrameLabel, FrameLabels, Keyframes
from curation.vision.factory import get_classifier
from curation.vision.labelling import label_images
from curation.vision.protocol import HISTOLOGY

CROPS_DIR = "crops"


def decode_rgb(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def label_frames(keyframes: Keyframes, ctx: StageContext) -> FrameLabels:
    settings = ctx.settings
    kept = [k for k in keyframes.keyframes if k.duplicate_of is None]
    classifier = get_classifier(settings.vision)
    images = [decode_rgb(ctx.read_bytes(k.image_path)) for k in kept]
    verdicts = label_images(classifier, images, crop=settings.vision.crop_histology)

    labels = []
    for keyframe, image, verdict in zip(kept, images, verdicts):
        c = verdict.classification
        crop_path = None
        if verdict.crop_box is not None:
            x0, y0, x1, y1 = verdict.crop_box
            crop_path = f"{CROPS_DIR}/{keyframe.index:04d}.jpg"
            (ctx.workdir / CROPS_DIR).mkdir(exist_ok=True)
            (ctx.workdir / crop_path).write_bytes(
                encode_jpeg(np.ascontiguousarray(image[y0:y1, x0:x1]), settings.frames.jpeg_quality)
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
    ctx.report(
        frames=len(labels),
        histology=sum(label.label == HISTOLOGY for label in labels),
        cropped=sum(label.crop_box is not None for label in labels),
    )
    return FrameLabels(video_id=keyframes.video_id, classifier_id=classifier.classifier_id, labels=labels)


def fingerprint(settings: Settings) -> str:
    """The content of the stain model in use: refitting it re-runs this stage (and pairs)."""
    from curation.vision.stain import model_path

    path = model_path(settings.vision)
    if not path.is_file():
        raise FileNotFoundError(f"vision.stain_model names {path}, which does not exist; run `curate classifier fit`")
    return "stain:" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]
