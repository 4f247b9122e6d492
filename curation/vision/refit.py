"""Refit the histology filter on the calibration set plus the frames people judged in review.

Two models learn from the same labelled frames: the stain model (a softmax over colour and texture
features) and the open_clip probe (a softmax over image embeddings). The calibration set is the
generated lecture frames of `curation.demo.labelled` and the real and hard-negative frames of
`curation.vision.tissue_frames`; what is measured on it is cached in `.cache/` (keyed by the
measure, stain features or the embeddings of one backbone, and by the sizes), since measuring it
takes minutes. A review verdict on a pair judges its frame: accepted means histology; rejected with
the "non_histology_or_poor_quality" tag means not histology. Review frames weigh `REVIEW_WEIGHT`
times a calibration frame, so a few dozen verdicts move the model near the frames they judged.
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from curation.vision.calibrate import fit_softmax, frame_type, training_views
from curation.vision.features import FEATURE_NAMES, extract
from curation.vision.probe import ClipProbe, fit_probe
from curation.vision.protocol import HISTOLOGY, MODEL_CLASSES, FrameClassifier
from curation.vision.real_images import SKIMAGE_PHOTOS
from curation.vision.stain import StainModel
from curation.vision.tissue_frames import (
    CALIBRATION,
    GENERATOR_VERSION,
    HELD_OUT,
    TissueFrame,
    iter_tissue_frames,
    tissue_frames,
)

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "classifier"
NOT_HISTOLOGY_TAG = "non_histology_or_poor_quality"
NOT_HISTOLOGY = "other"  # the model class a frame judged "not histology" trains
REVIEW_WEIGHT = 20.0


@dataclass(frozen=True)
class Measure:
    """What a model reads off a frame: stain features or open_clip embeddings. `key` names it
    in the cache, so a change of features or of backbone is measured afresh."""

    key: str
    of: Callable[[Iterable[np.ndarray]], np.ndarray]


STAIN_FEATURES = Measure(
    "stain:" + ",".join(FEATURE_NAMES), lambda images: np.stack([extract(image) for image in images])
)


def clip_embeddings(embedder, checkpoint: str | None) -> Measure:
    """The embeddings of `embedder` (a curation.vision.clip.ClipEmbedder), keyed by its model and
    the size and time of its checkpoint file."""
    path = Path(checkpoint).expanduser() if checkpoint else None
    stamp = f"{path.stat().st_size}-{path.stat().st_mtime_ns}" if path and path.is_file() else ""
    return Measure(f"clip:{embedder.model_id}:{stamp}", embedder.embed)


@dataclass(frozen=True)
class Examples:
    features: np.ndarray
    targets: list[str]
    groups: list[str]


def _cached(name: str, measure: Measure, build: Callable[[], Examples]) -> Examples:
    key = hashlib.sha256(f"{name}|{measure.key}".encode()).hexdigest()[:12]
    path = CACHE / f"{name}-{measure.key.split(':')[0]}-{key}.npz"
    if path.exists():
        data = np.load(path)
        return Examples(data["features"], [str(t) for t in data["targets"]], [str(g) for g in data["groups"]])
    examples = build()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=CACHE, suffix=".npz", delete=False) as out:
        np.savez(out, features=examples.features, targets=examples.targets, groups=examples.groups)
    os.replace(out.name, path)  # a concurrent reader never sees half a file
    return examples


def _measured(measure: Measure, labelled: Iterable[tuple[np.ndarray, str, str]]) -> Examples:
    """Measure (image, target, group) triples one at a time, so no more than a batch of frames is
    held at once."""
    targets: list[str] = []
    groups: list[str] = []

    def images() -> Iterator[np.ndarray]:
        for image, target, group in labelled:
            targets.append(target)
            groups.append(group)
            yield image

    return Examples(measure.of(images()), targets, groups)


def tissue_examples(split: str, per_group: int, measure: Measure = STAIN_FEATURES) -> Examples:
    photos_key = hashlib.sha256(",".join(SKIMAGE_PHOTOS).encode()).hexdigest()[:8]
    return _cached(
        f"tissue-{split}-{per_group}-{GENERATOR_VERSION}-{photos_key}", measure,
        lambda: _measured(measure, ((f.image, f.frame_type, f.group) for f in iter_tissue_frames(split, per_group))),
    )


def demo_examples(folder: Path, per_class: int, seed: int, measure: Measure = STAIN_FEATURES) -> Examples:
    from curation.demo.labelled import generate_labelled_frames, load_labelled_frames

    def build() -> Examples:
        generate_labelled_frames(folder, per_class, seed)
        frames = load_labelled_frames(folder)
        images = (np.asarray(Image.open(f.path).convert("RGB")) for f in frames)
        views = training_views([f.label for f in frames], [f.histology_box for f in frames], images)
        return _measured(measure, ((view, target, f"demo_{target}") for view, target in views))

    return _cached(f"demo-{seed}-{per_class}", measure, build)


def calibration_set(per_group: int = 40, demo_per_class: int = 60, measure: Measure = STAIN_FEATURES) -> Examples:
    from curation.demo.labelled import TRAIN_SEED

    demo = demo_examples(CACHE / f"demo-{TRAIN_SEED}-{demo_per_class}", demo_per_class, TRAIN_SEED, measure)
    real = tissue_examples(CALIBRATION, per_group, measure)
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


def _training_set(
    calibration: Examples, reviewed: list[tuple[np.ndarray, str]], measure: Measure
) -> tuple[np.ndarray, list[str], np.ndarray, dict]:
    """Features, targets, weights and a summary of the calibration set plus the review frames."""
    features, targets = calibration.features, list(calibration.targets)
    weights = np.ones(len(targets))
    if reviewed:
        features = np.concatenate([features, measure.of(image for image, _ in reviewed)])
        targets += [verdict for _, verdict in reviewed]
        weights = np.concatenate([weights, np.full(len(reviewed), REVIEW_WEIGHT)])
    fitted_on = {"calibration": len(calibration.targets), "review_frames": len(reviewed),
                 **{f"calibration_{g}": n for g, n in sorted(Counter(calibration.groups).items())
                    if not g.startswith("demo_")}}
    return features, targets, weights, fitted_on


def fit_model(
    calibration: Examples, reviewed: list[tuple[np.ndarray, str]], version: str
) -> StainModel:
    features, targets, weights, fitted_on = _training_set(calibration, reviewed, STAIN_FEATURES)
    return fit_softmax(features, targets, MODEL_CLASSES, version=version, sample_weight=weights,
                       fitted_on=fitted_on)


def fit_clip_probe(
    calibration: Examples, reviewed: list[tuple[np.ndarray, str]], measure: Measure, backbone: str,
    version: str,
) -> ClipProbe:
    """A linear probe on the embeddings `measure` gives (`calibration` must be measured by it too)."""
    features, targets, weights, fitted_on = _training_set(calibration, reviewed, measure)
    return fit_probe(features, targets, backbone, version, weights, fitted_on)


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    kept_by_group: dict[str, tuple[int, int]]  # group -> (called histology, frames)


def held_out_figures(classifier: FrameClassifier, frames: list[TissueFrame]) -> Figures:
    said = [c.label == HISTOLOGY for c in classifier.classify([f.image for f in frames])]
    truth = [frame_type(f.frame_type) == HISTOLOGY for f in frames]
    tp = sum(s and t for s, t in zip(said, truth))
    kept: dict[str, tuple[int, int]] = {}
    for frame, s in zip(frames, said):
        k, n = kept.get(frame.group, (0, 0))
        kept[frame.group] = (k + s, n + 1)
    return Figures(tp / max(sum(said), 1), tp / max(sum(truth), 1), kept)
