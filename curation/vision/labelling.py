"""Label frames with any classifier, cropping the tissue picture out of mixed slides."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from curation.vision.crop import Box, histology_region
from curation.vision.protocol import HISTOLOGY, Classification, FrameClassifier
from curation.vision.stain import stain_tag


@dataclass(frozen=True)
class FrameVerdict:
    classification: Classification
    crop_box: Box | None = None


def label_images(
    classifier: FrameClassifier, images: list[np.ndarray], crop: bool = True
) -> list[FrameVerdict]:
    """Whole frames first; where a frame holds a separate picture that the classifier calls
    histology, the verdict is the crop's, with its box (a framed or captioned section keeps
    only the tissue, a photo beside text stays whatever the whole frame was)."""
    verdicts = [FrameVerdict(c) for c in classifier.classify(images)]
    if crop:
        boxes = {i: box for i, image in enumerate(images) if (box := histology_region(image))}
        crops = [images[i][y0:y1, x0:x1] for i, (x0, y0, x1, y1) in boxes.items()]
        for i, crop_result in zip(boxes, classifier.classify(crops)):
            if crop_result.label == HISTOLOGY:
                verdicts[i] = FrameVerdict(crop_result, boxes[i])
    return [_with_stain(v, image) for v, image in zip(verdicts, images)]


def _with_stain(verdict: FrameVerdict, image: np.ndarray) -> FrameVerdict:
    """Histology always gets a stain tag, even from a classifier that knows no stains."""
    c = verdict.classification
    if c.label != HISTOLOGY:
        return FrameVerdict(replace(c, stain="none"), verdict.crop_box)
    if c.stain != "none":
        return verdict
    x0, y0, x1, y1 = verdict.crop_box or (0, 0, image.shape[1], image.shape[0])
    return FrameVerdict(replace(c, stain=stain_tag(image[y0:y1, x0:x1])), verdict.crop_box)
