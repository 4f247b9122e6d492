"""The embedded offline classifier: stain and texture features, then a small softmax model.

The model is a multinomial logistic regression over the standardised features of
`curation.vision.features`; its coefficients live in `stain_model.json` beside this file,
refitted by `bench/classifier.py --fit` on generated labelled frames. One rule sits on top of
it: a frame with (almost) no stain-coloured texture is never histology, however the linear model
extrapolates (a grey photo, a blank screen). The stain guess reads the colour deconvolution
directly: brown DAB means IHC, pink and purple mean H&E.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from curation.config import VisionSettings
from curation.records import StainGuess
from curation.vision.features import FEATURE_NAMES, extract
from curation.vision.protocol import HISTOLOGY, Classification, label_from_scores

MODEL_PATH = Path(__file__).with_name("stain_model.json")
FEATURE = {name: i for i, name in enumerate(FEATURE_NAMES)}
# no stain colour, no histology: a third of the least stained share of the lit (not black) area
# among the calibration frames (0.12)
MIN_STAINED_FOR_HISTOLOGY = 0.04
DAB_SHARE_FOR_IHC = 0.15  # of the stained pixels
PINK_SHARE_FOR_HE = 0.3


class StainModel(BaseModel):
    """Softmax over classes of `bias[c] + sum_f weights[c][f] * (x_f - mean_f) / scale_f`."""

    version: str
    fitted_on: dict[str, str | int | float] = {}
    feature_names: list[str]
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
        if list(self.feature_names) != list(FEATURE_NAMES):
            raise ValueError(
                f"{MODEL_PATH.name} was fitted on features {self.feature_names}, the code computes "
                f"{list(FEATURE_NAMES)}; refit it with bench/classifier.py --fit"
            )
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        weights = np.asarray([self.weights[c] for c in self.classes])
        return z @ weights.T + np.asarray([self.bias[c] for c in self.classes])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.logits(features))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@cache
def load_model(path: Path = MODEL_PATH) -> StainModel:
    if not path.exists():
        raise RuntimeError(
            f"the stain classifier's model {path} is missing; fit it with bench/classifier.py --fit"
        )
    return StainModel.model_validate_json(path.read_text())


def model_path(settings: VisionSettings) -> Path:
    """The stain model the settings name: a refitted one, or the shipped default."""
    return Path(settings.stain_model) if settings.stain_model else MODEL_PATH


def guess_stain(features: np.ndarray) -> StainGuess:
    stained = features[FEATURE["stained"]]
    if stained <= 0:
        return "other"
    if features[FEATURE["brown"]] / stained >= DAB_SHARE_FOR_IHC:
        return "ihc"
    if features[FEATURE["pink_purple"]] / stained >= PINK_SHARE_FOR_HE:
        return "he"
    return "other"


def stain_tag(rgb: np.ndarray) -> StainGuess:
    return guess_stain(extract(rgb))


class StainClassifier:
    def __init__(
        self,
        threshold: float = 0.5,
        model: StainModel | None = None,
        keep_as_histology: tuple[str, ...] = (),
    ):
        self.model = model or load_model()
        self.threshold = threshold
        self.keep_as_histology = keep_as_histology
        self.classifier_id = f"stain/{self.model.version}"

    def classify(self, images: list[np.ndarray]) -> list[Classification]:
        if not images:
            return []
        features = np.stack([extract(image) for image in images])
        logits = self.model.logits(features)
        if HISTOLOGY in self.model.classes:
            lit = np.maximum(1.0 - features[:, FEATURE["dark"]], 0.05)
            unstained = features[:, FEATURE["stained"]] / lit < MIN_STAINED_FOR_HISTOLOGY
            logits[unstained, self.model.classes.index(HISTOLOGY)] = -np.inf
        results = []
        for row, probs in zip(features, softmax(logits)):
            scores = {name: round(float(p), 4) for name, p in zip(self.model.classes, probs)}
            histology = round(
                scores.get(HISTOLOGY, 0.0) + sum(scores.get(c, 0.0) for c in self.keep_as_histology), 4
            )
            label = label_from_scores(scores, histology, self.threshold)
            stain = guess_stain(row) if label == HISTOLOGY else "none"
            results.append(Classification(label, histology, scores, stain))
        return results
