"""Refit the stain model on the calibration set plus the frames people judged in review.

The calibration set is the generated lecture frames of `curation.demo.labelled` and the real and
hard-negative frames of `curation.vision.tissue_frames`; its features are cached in `.cache/`
(keyed by the feature names and the sizes), since extracting them takes minutes. A review verdict
on a pair judges its frame: accepted means histology; rejected with the
"non_histology_or_poor_quality" tag means not histology. Review frames weigh `REVIEW_WEIGHT` times
a calibration frame, so a few dozen verdicts move the model near the frames they judged.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from curation.vision.calibrate import fit_softmax, frame_type, training_examples
from curation.vision.features import FEATURE_NAMES, extract
from curation.vision.protocol import HISTOLOGY, MODEL_CLASSES
from curation.vision.real_images import SKIMAGE_PHOTOS
from curation.vision.stain import StainClassifier, StainModel
from curation.vision.tissue_frames import (
    CALIBRATION,
    GENERATOR_VERSION,
    HELD_OUT,
    TissueFrame,
    tissue_frames,
)

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "classifier"
NOT_HISTOLOGY_TAG = "non_histology_or_poor_quality"
NOT_HISTOLOGY = "other"  # the model class a frame judged "not histology" trains
REVIEW_WEIGHT = 20.0


@dataclass(frozen=True)
class Examples:
    features: np.ndarray
    targets: list[str]
    groups: list[str]


def _cached(name: str, build) -> Examples:
    key = hashlib.sha256(f"{name}|{FEATURE_NAMES}".encode()).hexdigest()[:12]
    path = CACHE / f"{name}-{key}.npz"
    if path.exists():
        data = np.load(path)
        return Examples(data["features"], [str(t) for t in data["targets"]], [str(g) for g in data["groups"]])
    examples = build()
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, features=examples.features, targets=examples.targets, groups=examples.groups)
    return examples


def tissue_examples(split: str, per_group: int) -> Examples:
    def build() -> Examples:
        frames = tissue_frames(split, per_group)
        return Examples(np.stack([extract(f.image) for f in frames]),
                        [f.frame_type for f in frames], [f.group for f in frames])

    return _cached(f"tissue-{split}-{per_group}-{GENERATOR_VERSION}-{SKIMAGE_PHOTOS}", build)


def demo_examples(folder: Path, per_class: int, seed: int) -> Examples:
    from curation.demo.labelled import generate_labelled_frames, load_labelled_frames

    def build() -> Examples:
        generate_labelled_frames(folder, per_class, seed)
        frames = load_labelled_frames(folder)
        images = [np.asarray(Image.open(f.path).convert("RGB")) for f in frames]
        features, targets = training_examples(
            [f.label for f in frames], [f.histology_box for f in frames], images
        )
        return Examples(features, targets, [f"demo_{t}" for t in targets])

    return _cached(f"demo-{seed}-{per_class}", build)


def calibration_set(per_group: int = 40, demo_per_class: int = 60) -> Examples:
    from curation.demo.labelled import TRAIN_SEED

    demo = demo_examples(CACHE / f"demo-{TRAIN_SEED}", demo_per_class, TRAIN_SEED)
    real = tissue_examples(CALIBRATION, per_group)
    return Examples(np.concatenate([demo.features, real.features]),
                    demo.targets + real.targets, demo.groups + real.groups)


def held_out_frames(per_group: int = 20) -> list[TissueFrame]:
    return tissue_frames(HELD_OUT, per_group)


def review_frames(reader) -> list[tuple[np.ndarray, str]]:
    """(frame image, model class) for every frame a reviewer judged, in a dataset version; the
    latest verdict on any of a frame's pairs wins."""
    from curation.audit.review_labels import connect, read_labels
    from curation.export.versions import REVIEW_DB

    if not reader.has(REVIEW_DB):
        return []
    conn = connect(reader.store.local_path(reader.path(REVIEW_DB)))
    try:
        labels = sorted(read_labels(conn), key=lambda label: label.labelled_at)
    finally:
        conn.close()
    pairs = {p.pair_id: p for p in reader.pairs()}
    verdicts: dict[str, str] = {}
    for label in labels:
        pair = pairs.get(label.pair_id)
        if pair is None:
            continue
        if label.verdict == "accept":
            verdicts[pair.image_path] = HISTOLOGY
        elif NOT_HISTOLOGY_TAG in label.tags:
            verdicts[pair.image_path] = NOT_HISTOLOGY
    return [
        (np.asarray(Image.open(io.BytesIO(reader.store.read_bytes(reader.store.join(path)))).convert("RGB")), verdict)
        for path, verdict in verdicts.items()
    ]


def fit_model(
    calibration: Examples, reviewed: list[tuple[np.ndarray, str]], version: str
) -> StainModel:
    features, targets = calibration.features, list(calibration.targets)
    weights = np.ones(len(targets))
    if reviewed:
        features = np.concatenate([features, np.stack([extract(image) for image, _ in reviewed])])
        targets += [verdict for _, verdict in reviewed]
        weights = np.concatenate([weights, np.full(len(reviewed), REVIEW_WEIGHT)])
    return fit_softmax(
        features, targets, MODEL_CLASSES, version=version, sample_weight=weights,
        fitted_on={"calibration": len(calibration.targets), "review_frames": len(reviewed),
                   **{f"calibration_{g}": n for g, n in sorted(Counter(calibration.groups).items())
                      if not g.startswith("demo_")}},
    )


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    kept_by_group: dict[str, tuple[int, int]]  # group -> (called histology, frames)


def held_out_figures(classifier: StainClassifier, frames: list[TissueFrame]) -> Figures:
    said = [c.label == HISTOLOGY for c in classifier.classify([f.image for f in frames])]
    truth = [frame_type(f.frame_type) == HISTOLOGY for f in frames]
    tp = sum(s and t for s, t in zip(said, truth))
    kept: dict[str, tuple[int, int]] = {}
    for frame, s in zip(frames, said):
        k, n = kept.get(frame.group, (0, 0))
        kept[frame.group] = (k + s, n + 1)
    return Figures(tp / max(sum(said), 1), tp / max(sum(truth), 1), kept)
