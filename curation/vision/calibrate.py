"""Fit the stain classifier's softmax model on labelled frames (used by bench/classifier.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize

from curation.vision.features import FEATURE_NAMES
from curation.vision.stain import StainModel


def fit_softmax(
    features: np.ndarray, labels: Sequence[str], classes: Sequence[str], l2: float = 1e-3,
    version: str = "1", fitted_on: dict | None = None,
) -> StainModel:
    """Multinomial logistic regression on standardised features, classes weighted equally."""
    missing = set(classes) - set(labels)
    if missing:
        raise ValueError(f"no training frames for classes {sorted(missing)}")
    unknown = set(labels) - set(classes)
    if unknown:
        raise ValueError(f"training labels {sorted(unknown)} are not among the classes {list(classes)}")
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (features - mean) / scale
    y = np.array([list(classes).index(label) for label in labels])
    n, f = z.shape
    c = len(classes)
    onehot = np.eye(c)[y]
    counts = np.bincount(y, minlength=c)
    weight = (n / (c * counts))[y] / n

    def loss_and_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[: c * f].reshape(c, f), params[c * f :]
        logits = z @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = -(weight * (onehot * log_p).sum(axis=1)).sum() + l2 * (w * w).sum()
        delta = (np.exp(log_p) - onehot) * weight[:, None]
        grad_w = delta.T @ z + 2 * l2 * w
        return loss, np.concatenate([grad_w.ravel(), delta.sum(axis=0)])

    result = minimize(loss_and_grad, np.zeros(c * f + c), jac=True, method="L-BFGS-B",
                      options={"maxiter": 5000})
    w, b = result.x[: c * f].reshape(c, f), result.x[c * f :]
    return StainModel(
        version=version,
        feature_names=list(FEATURE_NAMES),
        classes=list(classes),
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        weights=[[round(float(v), 5) for v in row] for row in w],
        bias=[round(float(v), 5) for v in b],
        fitted_on=fitted_on or {},
    )
