"""The embedded offline classifier: stain and texture features, then a small softmax model.

The model is a multinomial logistic regression over the standardised features of
`curation.vision.features`; its coefficients live in `stain_model.json` beside this file,
refitted by `bench/classifier.py --fit` on generated labelled frames. One rule sits on top of
it: a frame with (almost) no stain-coloured texture is never histology, however the linear model
extrapolates (a grey photo, a blank screen). The stain guess reads the colour deconvolution
directly: brown DAB means IHC, pink and purple mean H&E.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from curation.config import VisionSettings
from curation.records import StainGuess
from curation.vision.features import FEATURE_NAMES, extract
from curation.vision.protocol import HISTOLOGY, Classification, histology_score, label_from_scores
from curation.vision.softmax import SoftmaxModel, softmax

MODEL_PATH = Path(__file__).with_name("stain_model.json")
FEATURE = {name: i for i, name in enumerate(FEATURE_NAMES)}
# no stain colour, no histology: a third of the least stained share of the lit (not black) area
# among the calibration histology frames (0.023, a low-power section of a few small islands)
MIN_STAINED_FOR_HISTOLOGY = 0.0075
DAB_SHARE_FOR_IHC = 0.15  # of the stained pixels
PINK_SHARE_FOR_HE = 0.3


class StainModel(SoftmaxModel):
    """The softmax model over the features of FEATURE_NAMES, in that order."""

    feature_names: list[str]

    def logits(self, features: np.ndarray) -> np.ndarray:
        if list(self.feature_names) != list(FEATURE_NAMES):
            raise ValueError(
                f"{MODEL_PATH.name} was fitted on features {self.feature_names}, the code computes "
                f"{list(FEATURE_NAMES)}; refit it with bench/classifier.py --fit"
            )
        return super().logits(features)


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
            histology = histology_score(scores, self.keep_as_histology)
            label = label_from_scores(scores, histology, self.threshold)
            stain = guess_stain(row) if label == HISTOLOGY else "none"
            results.append(Classification(label, histology, scores, stain))
        return results
