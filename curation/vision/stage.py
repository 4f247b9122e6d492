"""Stage `labels`: a frame type, histology score and stain tag for every kept keyframe.

Returns records.FrameLabels; where the tissue picture of a mixed slide was cropped, the crop is
written to `crops/NNNN.jpg` and the label carries the crop box and path.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from curation.config import Settings
from curation.frames.stage import encode_jpeg
from curation.pipeline import StageContext
from curation.records import FrameLabel, FrameLabels, Keyframe, Keyframes
from curation.vision.factory import get_classifier, model_fingerprint
from curation.vision.labelling import label_images
from curation.vision.protocol import HISTOLOGY, FrameClassifier

CROPS_DIR = "crops"


def decode_rgb(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


# keyframes decoded and labelled at once: a 720p frame is 2.7 MB as RGB, and an hour of slides
# can keep hundreds of them (32 is also the CLIP backend's default batch)
LABEL_CHUNK = 32


def label_frames(keyframes: Keyframes, ctx: StageContext) -> FrameLabels:
    kept = [k for k in keyframes.keyframes if k.duplicate_of is None]
    classifier = get_classifier(ctx.settings.vision)
    labels = []
    for start in range(0, len(kept), LABEL_CHUNK):
        labels += _label_chunk(classifier, kept[start : start + LABEL_CHUNK], ctx)
    ctx.report(
        frames=len(labels),
        histology=sum(label.label == HISTOLOGY for label in labels),
        cropped=sum(label.crop_box is not None for label in labels),
    )
    return FrameLabels(video_id=keyframes.video_id, classifier_id=classifier.classifier_id, labels=labels)


def _label_chunk(classifier: FrameClassifier, keyframes: list[Keyframe], ctx: StageContext) -> list[FrameLabel]:
    """Labels of `keyframes`, with the crops of mixed slides written; their images are freed after."""
    settings = ctx.settings
    images = [decode_rgb(ctx.read_bytes(k.image_path)) for k in keyframes]
    verdicts = label_images(classifier, images, crop=settings.vision.crop_histology)
    labels = []
    for keyframe, image, verdict in zip(keyframes, images, verdicts):
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
    return labels


def fingerprint(settings: Settings) -> str:
    """The content of the fitted models in use: refitting one re-runs this stage (and pairs)."""
    return model_fingerprint(settings.vision)
