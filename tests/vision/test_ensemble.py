import numpy as np
import pytest

from curation.vision.ensemble import EnsembleClassifier
from curation.vision.protocol import Classification


class Fixed:
    """A stand-in member that answers the same for every image."""

    def __init__(self, name: str, answer: Classification):
        self.classifier_id = name
        self.answer = answer
        self.seen = 0

    def classify(self, images):
        self.seen += len(images)
        return [self.answer for _ in images]


TYPED = Fixed(
    "stain/1",
    Classification("slide_text", 0.3, {"histology": 0.3, "slide_text": 0.6, "person": 0.1}, "none"),
)
ZERO_SHOT = Fixed("open_clip/x", Classification("histology", 0.8, {"histology": 0.8, "slide_text": 0.2}))
IMAGES = [np.zeros((8, 8, 3), np.uint8)] * 3


def test_any_of_keeps_a_frame_one_member_calls_histology():
    result = EnsembleClassifier([TYPED, ZERO_SHOT], "any").classify(IMAGES)
    assert len(result) == 3
    assert result[0].label == "histology" and result[0].histology_score == 0.8
    assert result[0].scores["stain/1:slide_text"] == 0.6


def test_mean_rule_averages_and_falls_back_to_the_typed_members_label():
    result = EnsembleClassifier([TYPED, ZERO_SHOT], "mean", threshold=0.6).classify(IMAGES)[0]
    assert result.histology_score == pytest.approx(0.55)
    assert result.label == "slide_text"
    assert result.stain == "none"


def test_the_stain_guess_of_a_member_survives_when_histology():
    he = Fixed("stain/1", Classification("histology", 0.9, {"histology": 0.9, "blank": 0.1}, "he"))
    result = EnsembleClassifier([ZERO_SHOT, he], "mean").classify(IMAGES)[0]
    assert (result.label, result.stain) == ("histology", "he")


def test_every_member_sees_every_image_and_the_id_names_them():
    member = Fixed("a", Classification("blank", 0.0, {"blank": 1.0}))
    ensemble = EnsembleClassifier([member, ZERO_SHOT], "any")
    ensemble.classify(IMAGES)
    assert member.seen == 3
    assert ensemble.classifier_id == "ensemble-any(a,open_clip/x)"


def test_bad_configuration_is_rejected():
    with pytest.raises(ValueError, match="at least one member"):
        EnsembleClassifier([], "any")
    with pytest.raises(ValueError, match="'any' or 'mean'"):
        EnsembleClassifier([TYPED], "vote")


def test_the_factory_caches_per_settings_and_rejects_an_empty_ensemble():
    from curation.config import VisionSettings
    from curation.vision.factory import get_classifier
    from curation.vision.stain import StainClassifier

    stain = get_classifier(VisionSettings())
    assert isinstance(stain, StainClassifier) and get_classifier(VisionSettings()) is stain
    assert get_classifier(VisionSettings(histology_threshold=0.8)).threshold == 0.8
    with pytest.raises(ValueError, match="ensemble_members is empty"):
        get_classifier(VisionSettings(backend="ensemble", ensemble_members=[]))
