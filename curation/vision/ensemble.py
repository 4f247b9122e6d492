"""Several classifiers voting: any-of (Quilt's rule) or the mean histology score."""

from __future__ import annotations

from typing import Literal

import numpy as np

from curation.vision.protocol import HISTOLOGY, Classification, FrameClassifier, label_from_scores


class EnsembleClassifier:
    def __init__(
        self, members: list[FrameClassifier], rule: Literal["any", "mean"], threshold: float = 0.5
    ):
        if not members:
            raise ValueError("an ensemble needs at least one member")
        if rule not in ("any", "mean"):
            raise ValueError(f"ensemble rule must be 'any' or 'mean', got {rule!r}")
        self.members = members
        self.rule = rule
        self.threshold = threshold
        self.classifier_id = f"ensemble-{rule}(" + ",".join(m.classifier_id for m in members) + ")"

    def classify(self, images: list[np.ndarray]) -> list[Classification]:
        answers = [member.classify(images) for member in self.members]
        return [self._combine(list(per_image)) for per_image in zip(*answers)]

    def _combine(self, answers: list[Classification]) -> Classification:
        histology = [a.histology_score for a in answers]
        score = max(histology) if self.rule == "any" else float(np.mean(histology))
        scores: dict[str, float] = {}
        for member, answer in zip(self.members, answers):
            scores.update({f"{member.classifier_id}:{k}": v for k, v in answer.scores.items()})
        # the frame type of a non-histology frame comes from the first member that names one
        typed = next((a.scores for a in answers if set(a.scores) - {HISTOLOGY, "other"}), {})
        label = label_from_scores({**typed, HISTOLOGY: score}, score, self.threshold)
        stain = (
            next((a.stain for a in answers if a.stain != "none"), "none")
            if label == HISTOLOGY
            else "none"
        )
        return Classification(label, round(score, 4), {HISTOLOGY: round(score, 4), **scores}, stain)
