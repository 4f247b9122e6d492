import numpy as np
import pytest

from curation.vision.calibrate import fit_softmax, frame_type, training_examples
from curation.vision.features import FEATURE_NAMES, extract
from curation.vision.labelling import label_images
from curation.vision.protocol import FRAME_TYPES, HISTOLOGY, MODEL_CLASSES
from curation.vision.stain import StainClassifier, load_model


@pytest.fixture(scope="module")
def verdicts(labelled):
    return label_images(StainClassifier(), labelled.images)


def test_histology_is_found_and_other_frames_are_not_called_histology(labelled, verdicts):
    truth = [frame_type(f.label) == HISTOLOGY for f in labelled.frames]
    said = [v.classification.label == HISTOLOGY for v in verdicts]
    found = sum(t and s for t, s in zip(truth, said))
    false = sum(s and not t for t, s in zip(truth, said))
    assert found >= 0.95 * sum(truth)
    assert false == 0


def test_frame_types_are_mostly_right(labelled, verdicts):
    right = sum(
        frame_type(f.label) == v.classification.label for f, v in zip(labelled.frames, verdicts)
    )
    assert right >= 0.93 * len(verdicts)


def test_stain_guess_follows_the_stain(labelled, verdicts):
    for label, stain in (("histology_he", "he"), ("histology_ihc", "ihc")):
        guesses = [
            v.classification.stain for f, v in zip(labelled.frames, verdicts) if f.label == label
        ]
        assert sum(g == stain for g in guesses) >= 0.9 * len(guesses)
    assert all(
        v.classification.stain == "none" for v in verdicts if v.classification.label != HISTOLOGY
    )


def test_scores_are_probabilities_over_the_frame_types(verdicts):
    for v in verdicts:
        assert set(v.classification.scores) == set(MODEL_CLASSES)
        assert sum(v.classification.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert v.classification.histology_score == v.classification.scores[HISTOLOGY]


def test_the_shipped_model_matches_the_features():
    model = load_model()
    assert model.feature_names == list(FEATURE_NAMES)
    assert model.classes == list(MODEL_CLASSES)
    assert all(len(w) == len(FEATURE_NAMES) for w in model.weights.values())


def test_extract_rejects_anything_but_rgb_uint8():
    assert extract(np.zeros((30, 40, 3), np.uint8)).shape == (len(FEATURE_NAMES),)
    with pytest.raises(ValueError, match="RGB uint8"):
        extract(np.zeros((30, 40), np.uint8))
    with pytest.raises(ValueError, match="RGB uint8"):
        extract(np.zeros((30, 40, 3), np.float32))


def test_a_model_fitted_on_the_frames_separates_them(labelled):
    features, targets = training_examples(
        [f.label for f in labelled.frames],
        [f.histology_box for f in labelled.frames],
        labelled.images,
    )
    assert len(targets) > len(labelled.frames)  # mixed slides add their picture
    model = fit_softmax(features, targets, FRAME_TYPES)
    predicted = np.array(model.classes)[model.probabilities(features).argmax(axis=1)]
    assert (predicted == np.array(targets)).mean() >= 0.97
    with pytest.raises(ValueError, match="no training frames"):
        fit_softmax(features[:3], targets[:3], FRAME_TYPES)


def test_a_frame_without_stain_colour_is_never_histology(labelled):
    _, section = labelled.of("histology_he")[0]
    grey = np.repeat(section.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    colour, monochrome = StainClassifier().classify([section, grey])
    assert colour.label == HISTOLOGY
    assert monochrome.histology_score == 0.0 and monochrome.label != HISTOLOGY
