"""Label frames with any classifier, cropping the tissue picture out of mixed slides."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curation.vision.crop import Box, histology_region
from curation.vision.protocol import HISTOLOGY, Classification, FrameClassifier


@dataclass(frozen=True)
class FrameVerdict:
    classification: Classification
    crop_box: Box | None = None


def label_images(classifier: FrameClassifier, images: list[np.ndarray], crop: bool = True) -> list[FrameVerdict]:
    """Whole frames first; where a frame holds a separate picture that the classifier calls
    histology, the verdict is the crop's, with its box (a framed or captioned section keeps
    only the tissue, a photo beside text stays whatever the whole frame was)."""
    verdicts = [FrameVerdict(c) for c in classifier.classify(images)]
    if not crop:
        return verdicts
    boxes = {i: box for i, image in enumerate(images) if (box := histology_region(image))}
    crops = [images[i][y0:y1, x0:x1] for i, (x0, y0, x1, y1) in boxes.items()]
    for i, crop_result in zip(boxes, classifier.classify(crops)):
        if crop_result.label == HISTOLOGY:
            verdicts[i] = FrameVerdict(crop_result, boxes[i])
    return verdicts
