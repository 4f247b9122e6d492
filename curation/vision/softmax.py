"""A multinomial logistic regression over standardised features, stored as readable JSON.

The stain model (over the colour and texture features) and the open_clip probe (over image
embeddings) are both one of these; `fit_parameters` fits either.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from scipy.optimize import minimize


class SoftmaxModel(BaseModel):
    """Softmax over classes of `bias[c] + sum_f weights[c][f] * (x_f - mean_f) / scale_f`."""

    version: str
    fitted_on: dict[str, str | int | float] = {}
    mean: list[float]
    scale: list[float]
    bias: dict[str, float]
    weights: dict[str, list[float]]  # per class, one weight per feature

    @property
    def classes(self) -> list[str]:
        return list(self.weights)

    def to_json(self) -> str:
        """One line per field and per class, so a diff of a refit reads well."""
        data = self.model_dump()
        weights = ",\n".join(
            f"  {json.dumps(c)}: {json.dumps(w)}" for c, w in data.pop("weights").items()
        )
        fields = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items()]
        return "{\n" + ",\n".join([*fields, f' "weights": {{\n{weights}\n }}']) + "\n}\n"

    def logits(self, features: np.ndarray) -> np.ndarray:
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        weights = np.asarray([self.weights[c] for c in self.classes])
        return z @ weights.T + np.asarray([self.bias[c] for c in self.classes])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.logits(features))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def fit_parameters(
    features: np.ndarray,
    labels: Sequence[str],
    classes: Sequence[str],
    l2: float = 1e-3,
    sample_weight: np.ndarray | None = None,
) -> dict:
    """The `mean`, `scale`, `bias` and `weights` of a SoftmaxModel fitted with classes weighted
    equally (each example within its class by `sample_weight`)."""
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
    return {
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "bias": {name: round(float(v), 5) for name, v in zip(classes, b)},
        "weights": {name: [round(float(v), 5) for v in row] for name, row in zip(classes, w)},
    }
