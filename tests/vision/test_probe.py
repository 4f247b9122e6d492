"""The open_clip linear probe on a small random open_clip model, on CPU: it fits on the labelled
set, is saved as a classifier version, reloads alone and in the ensemble, and review labels move it."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from curation.cli import app
from curation.config import ClipSettings, VisionSettings
from curation.vision import refit
from curation.vision.clip import ClipEmbedder, OpenClipClassifier, load_open_clip
from curation.vision.ensemble import EnsembleClassifier
from curation.vision.factory import get_classifier, model_fingerprint
from curation.vision.probe import PROBE_ENV, fit_probe
from curation.vision.protocol import HISTOLOGY, MODEL_CLASSES
from curation.vision.refit import NOT_HISTOLOGY, calibration_set, clip_embeddings, fit_clip_probe
from curation.vision.tissue_frames import HELD_OUT, tissue_frames


@pytest.fixture
def small_cache(tmp_path, monkeypatch):
    """Calibration embeddings of the random model stay out of the shared cache."""
    monkeypatch.setattr(refit, "CACHE", tmp_path / "cache")


def clip_settings(tiny_clip, **changes) -> ClipSettings:
    return ClipSettings(architecture=str(tiny_clip.config), checkpoint=str(tiny_clip.checkpoint),
                        device="cpu", batch_size=16, **changes)


def test_classifier_fit_writes_a_probe_that_reloads_alone_and_in_the_ensemble(
    tiny_clip, tmp_path, monkeypatch, small_cache
):
    for key, value in {"ARCHITECTURE": tiny_clip.config, "CHECKPOINT": tiny_clip.checkpoint,
                       "DEVICE": "cpu", "BATCH_SIZE": 16}.items():
        monkeypatch.setenv(f"CURATION_VISION__CLIP__{key}", str(value))
    data = tmp_path / "data"
    fit = ["classifier", "fit", "--backend", "open_clip", "--data", str(data), "--per-group", "4",
           "--demo-per-class", "3"]

    result = CliRunner().invoke(app, fit)
    assert result.exit_code == 0, result.output
    path = data / "classifiers" / "clip-probe-0001.json"
    assert "histology precision" in result.output and PROBE_ENV in result.output
    saved = json.loads(path.read_text())
    assert saved["backbone"] == "open_clip/tiny-test-clip:tiny.pt" and saved["dimensions"] == 32
    assert saved["fitted_on"]["review_frames"] == 0 and saved["fitted_on"]["calibration_radiology"] == 4

    frames = tissue_frames(HELD_OUT, 2)
    alone = get_classifier(VisionSettings(backend="open_clip", clip=clip_settings(tiny_clip, probe=str(path))))
    assert alone.classifier_id == "open_clip/tiny-test-clip:tiny.pt+probe/fit-0001"
    answers = alone.classify([f.image for f in frames])
    assert len(answers) == len(frames)
    for answer in answers:
        assert set(answer.scores) == set(MODEL_CLASSES)
        assert sum(answer.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert answer.histology_score == answer.scores[HISTOLOGY]

    ensemble = get_classifier(VisionSettings(backend="ensemble", clip=clip_settings(tiny_clip, probe=str(path))))
    assert isinstance(ensemble, EnsembleClassifier)
    assert ensemble.classifier_id == f"ensemble-any(stain/{ensemble.members[0].model.version},{alone.classifier_id})"
    together = ensemble.classify([f.image for f in frames])
    for one, both in zip(answers, together):
        assert both.histology_score >= one.histology_score

    again = CliRunner().invoke(app, fit)
    assert again.exit_code == 0, again.output
    second = data / "classifiers" / "clip-probe-0002.json"
    assert second.is_file()
    fingerprint = lambda probe: model_fingerprint(VisionSettings(backend="open_clip", clip=clip_settings(tiny_clip, probe=str(probe))))
    assert fingerprint(path).startswith("probe:")
    path.write_text(path.read_text().replace('"fit-0001"', '"edited"'))
    assert fingerprint(path) != fingerprint(second), "the labels stage sees a refit under the same name"


def test_twenty_review_labels_change_the_probes_labels_of_frames_like_them(tiny_clip, tmp_path, small_cache):
    """Reviewers mark 20 photos recoloured to an H&E palette not histology (the random model calls
    many of them histology); the refitted probe then rejects other such photos it never saw."""
    settings = clip_settings(tiny_clip)
    embedder = ClipEmbedder(load_open_clip(settings), settings.batch_size)
    measure = clip_embeddings(embedder, settings.checkpoint)
    calibration = calibration_set(per_group=8, demo_per_class=4, measure=measure)
    photos = [f.image for f in tissue_frames(HELD_OUT, 30) if f.group == "he_palette_photo"]
    reviewed, unseen = photos[:20], photos[20:]

    def classifier(name: str, review: list) -> OpenClipClassifier:
        path = tmp_path / f"{name}.json"
        probe = fit_clip_probe(calibration, review, measure, embedder.model_id, name)
        path.write_text(probe.to_json())
        return OpenClipClassifier(settings.model_copy(update={"probe": str(path)}), embedder=embedder)

    before = classifier("before", [])
    after = classifier("after", [(image, NOT_HISTOLOGY) for image in reviewed])
    kept = lambda c, images: sum(answer.label == HISTOLOGY for answer in c.classify(images))
    assert kept(before, unseen) >= 4
    assert kept(after, unseen) <= 1
    assert after.classifier_id.endswith("+probe/after")


def test_a_probe_refuses_another_backbone_and_a_missing_file(tiny_clip, tmp_path):
    embeddings = np.random.default_rng(0).normal(size=(len(MODEL_CLASSES) * 3, 32))
    probe = fit_probe(embeddings, list(MODEL_CLASSES) * 3, "open_clip/other:weights.pt", "x")
    path = tmp_path / "probe.json"
    path.write_text(probe.to_json())
    with pytest.raises(ValueError, match="fitted on open_clip/other:weights.pt"):
        OpenClipClassifier(clip_settings(tiny_clip, probe=str(path)))
    with pytest.raises(RuntimeError, match=PROBE_ENV):
        OpenClipClassifier(clip_settings(tiny_clip, probe=str(tmp_path / "missing.json")))
