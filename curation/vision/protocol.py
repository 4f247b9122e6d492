"""What every frame classifier answers, and the frame types it answers with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, get_args

import numpy as np

from curation.records import FrameType, StainGuess

HISTOLOGY = "histology"
FRAME_TYPES: tuple[FrameType, ...] = (
    "histology",
    "slide_text",
    "person",
    "diagram",
    "desktop",
    "blank",
)
# what the stain model tells apart: the frame types, fluorescence (its own frame type once
# records.FrameType names it; until then "other") and anything else ("other": photos)
MODEL_CLASSES: tuple[str, ...] = (*FRAME_TYPES, "fluorescence", "other")


@dataclass(frozen=True)
class Classification:
    label: FrameType
    histology_score: float
    scores: dict[str, float] = field(default_factory=dict)
    stain: StainGuess = "none"


class FrameClassifier(Protocol):
    classifier_id: str

    def classify(self, images: list[np.ndarray]) -> list[Classification]:
        """One answer per RGB uint8 image, in order."""
        ...


def histology_score(scores: dict[str, float], keep_as_histology: tuple[str, ...] = ()) -> float:
    """The histology score, counting the frame types a version keeps as histology too."""
    return round(scores.get(HISTOLOGY, 0.0) + sum(scores.get(c, 0.0) for c in keep_as_histology), 4)


def label_from_scores(
    scores: dict[str, float], histology_score: float, threshold: float
) -> FrameType:
    """Histology when its score clears the threshold, else the most likely other frame type."""
    if histology_score >= threshold:
        return HISTOLOGY
    others = {
        name: value for name, value in scores.items() if name != HISTOLOGY and name in MODEL_CLASSES
    }
    if not others:
        return "other"
    best = max(others, key=others.get)
    return best if best in get_args(FrameType) else "other"
