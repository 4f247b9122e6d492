import numpy as np
import pytest
import torch

from curation.config import ClipSettings, VisionSettings
from curation.vision.clip import CHECKPOINT_ENV, DEVICE_ENV, OpenClipClassifier, resolve_device
from curation.vision.factory import get_classifier
from tests.fixtures.clip import TINY_CLIP


def clip_settings(tiny_clip, **changes) -> ClipSettings:
    return ClipSettings(
        architecture=str(tiny_clip.config), checkpoint=str(tiny_clip.checkpoint), **changes
    )


def images(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [rng.integers(0, 256, (90 + 7 * i, 160, 3), dtype=np.uint8) for i in range(n)]


def test_loads_the_checkpoint_and_classifies_a_batch(tiny_clip):
    classifier = OpenClipClassifier(clip_settings(tiny_clip, batch_size=3))
    loaded = classifier.embedder.loaded.model.state_dict()
    for name, saved in tiny_clip.state_dict.items():
        assert torch.equal(loaded[name].cpu(), saved), name
    results = classifier.classify(images(7))
    assert len(results) == 7
    for r in results:
        assert 0.0 <= r.histology_score <= 1.0
        assert set(r.scores) == set(ClipSettings().class_prompts)
        assert sum(r.scores.values()) == pytest.approx(1.0, abs=1e-3)
        others = {k: v for k, v in r.scores.items() if k != "histology"}
        assert r.label == ("histology" if r.histology_score >= 0.5 else max(others, key=others.get))
    assert classifier.classifier_id == "open_clip/tiny-test-clip:tiny.pt"


def test_batching_does_not_change_answers_and_runs_are_deterministic(tiny_clip):
    small_batches = OpenClipClassifier(clip_settings(tiny_clip, batch_size=2)).classify(images(5))
    one_batch = OpenClipClassifier(clip_settings(tiny_clip, batch_size=32))
    first, second = one_batch.classify(images(5)), one_batch.classify(images(5))
    assert first == second
    for a, b in zip(small_batches, first):
        assert a.histology_score == pytest.approx(b.histology_score, abs=2e-4)


def test_prompts_are_configurable_per_frame_type(tiny_clip):
    three = OpenClipClassifier(
        clip_settings(tiny_clip, class_prompts={"histology": ["tissue"], "slide_text": ["text", "a slide"]})
    )
    assert three.text_features.shape == (3, TINY_CLIP["embed_dim"])
    result = three.classify(images(2))[0]
    assert set(result.scores) == {"histology", "slide_text"}
    assert sum(result.scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert result.label in {"histology", "slide_text"}
    with pytest.raises(ValueError, match="at least one histology prompt"):
        OpenClipClassifier(clip_settings(tiny_clip, class_prompts={"slide_text": ["text"]}))
    with pytest.raises(ValueError, match="not frame types"):
        OpenClipClassifier(clip_settings(tiny_clip, class_prompts={"histology": ["t"], "cat": ["c"]}))


def test_device_auto_picks_cuda_only_when_present():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"
    if torch.cuda.is_available():
        assert resolve_device("cuda") == "cuda"
    else:
        with pytest.raises(RuntimeError, match=DEVICE_ENV):
            resolve_device("cuda")


@pytest.mark.parametrize(
    "checkpoint", [None, "/nonexistent/weights.pt", "hf-hub:nobody/not-a-cached-model"]
)
def test_missing_weights_name_the_setting(checkpoint):
    with pytest.raises(RuntimeError, match=CHECKPOINT_ENV):
        OpenClipClassifier(ClipSettings(checkpoint=checkpoint))


def test_an_unknown_architecture_is_a_clear_error(tiny_clip):
    with pytest.raises(ValueError, match="CURATION_VISION__CLIP__ARCHITECTURE"):
        OpenClipClassifier(
            ClipSettings(architecture="NoSuchNet", checkpoint=str(tiny_clip.checkpoint))
        )


def test_the_factory_builds_it_once_per_settings(tiny_clip):
    settings = VisionSettings(backend="open_clip", clip=clip_settings(tiny_clip))
    first = get_classifier(settings)
    assert isinstance(first, OpenClipClassifier)
    assert get_classifier(VisionSettings.model_validate(settings.model_dump())) is first
    assert get_classifier(settings.model_copy(update={"histology_threshold": 0.7})) is not first
