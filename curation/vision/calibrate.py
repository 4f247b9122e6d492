"""Fit the stain classifier's softmax model on labelled frames (used by bench/classifier.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize

from curation.vision.crop import Box, histology_region
from curation.vision.features import FEATURE_NAMES, extract
from curation.vision.protocol import HISTOLOGY
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
    """Multinomial logistic regression on standardised features, classes weighted equally (each
    example within its class by `sample_weight`)."""
    missing = set(classes) - set(labels)
    if missing:
        raise ValueError(f"no training frames for classes {sorted(missing)}")
    unknown = set(labels) - set(classes)
    if unknown:
        raise ValueError(
            f"training labels {sorted(unknown)} are not among the classes {list(classes)}"
        )
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (features - mean) / scale
    y = np.array([list(classes).index(label) for label in labels])
    n, f = z.shape
    c = len(classes)
    onehot = np.eye(c)[y]
    each = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    counts = np.bincount(y, weights=each, minlength=c)
    weight = each * (counts.sum() / (c * counts))[y] / counts.sum()

    def loss_and_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[: c * f].reshape(c, f), params[c * f :]
        logits = z @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = -(weight * (onehot * log_p).sum(axis=1)).sum() + l2 * (w * w).sum()
        delta = (np.exp(log_p) - onehot) * weight[:, None]
        grad_w = delta.T @ z + 2 * l2 * w
        return loss, np.concatenate([grad_w.ravel(), delta.sum(axis=0)])

    result = minimize(
        loss_and_grad, np.zeros(c * f + c), jac=True, method="L-BFGS-B", options={"maxiter": 5000}
    )
    w, b = result.x[: c * f].reshape(c, f), result.x[c * f :]
    return StainModel(
        version=version,
        feature_names=list(FEATURE_NAMES),
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        bias={name: round(float(v), 5) for name, v in zip(classes, b)},
        weights={name: [round(float(v), 5) for v in row] for name, row in zip(classes, w)},
        fitted_on=fitted_on or {},
    )


def frame_type(generator_label: str) -> str:
    """The frame type of a labelled frame: every histology_* class is histology."""
    return HISTOLOGY if generator_label.startswith(HISTOLOGY) else generator_label


def training_examples(
    labels: Sequence[str], boxes: Sequence[Box | None], images: Sequence[np.ndarray]
) -> tuple[np.ndarray, list[str]]:
    """Features of what the classifier meets in use: every whole frame, the tissue picture of a
    mixed slide (its true box), and every region the cropper proposes, under the frame's type."""
    views: list[tuple[np.ndarray, str]] = []
    for label, box, image in zip(labels, boxes, images):
        target = frame_type(label)
        views.append((image, target))
        if label == "histology_with_text" and box is not None:
            views.append((image[box[1] : box[3], box[0] : box[2]], target))
        proposed = histology_region(image)
        if proposed is not None:
            views.append((image[proposed[1] : proposed[3], proposed[0] : proposed[2]], target))
    return np.stack([extract(view) for view, _ in views]), [target for _, target in views]
