"""Fit the stain classifier's softmax model on labelled frames, and the views they are seen in."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from curation.vision.crop import Box, histology_region
from curation.vision.features import FEATURE_NAMES, extract
from curation.vision.protocol import HISTOLOGY
from curation.vision.softmax import fit_parameters
from curation.vision.stain import StainModel


def fit_softmax(
    features: np.ndarray,
    labels: Sequence[str],
    classes: Sequence[str],
    l2: float = 1e-3,
    version: str = "1",
    fitted_on: dict | None = None,
    sample_weight: np.ndarray | None = None,
) -> StainModel:
    """The stain model: a softmax over the features of FEATURE_NAMES (`fit_parameters`)."""
    return StainModel(
        version=version,
        feature_names=list(FEATURE_NAMES),
        fitted_on=fitted_on or {},
        **fit_parameters(features, labels, classes, l2, sample_weight),
    )


def frame_type(generator_label: str) -> str:
    """The frame type of a labelled frame: every histology_* class is histology."""
    return HISTOLOGY if generator_label.startswith(HISTOLOGY) else generator_label


def training_views(
    labels: Sequence[str], boxes: Sequence[Box | None], images: Sequence[np.ndarray]
) -> list[tuple[np.ndarray, str]]:
    """What the classifier meets in use: every whole frame, the tissue picture of a mixed slide
    (its true box), and every region the cropper proposes, each under the frame's type."""
    views: list[tuple[np.ndarray, str]] = []
    for label, box, image in zip(labels, boxes, images):
        target = frame_type(label)
        views.append((image, target))
        if label == "histology_with_text" and box is not None:
            views.append((image[box[1] : box[3], box[0] : box[2]], target))
        proposed = histology_region(image)
        if proposed is not None:
            views.append((image[proposed[1] : proposed[3], proposed[0] : proposed[2]], target))
    return views


def training_examples(
    labels: Sequence[str], boxes: Sequence[Box | None], images: Sequence[np.ndarray]
) -> tuple[np.ndarray, list[str]]:
    """The features and frame types of `training_views`."""
    views = training_views(labels, boxes, images)
    return np.stack([extract(view) for view, _ in views]), [target for _, target in views]
