"""The frame classifier on generated labelled frames: quality per class, crops, stains, speed.

    .venv/bin/python bench/classifier.py [--fit] [--train-per-class 250] [--test-per-class 120]
                                         [--data .cache/labelled] [--no-clip]

Frames come from `curation.demo.labelled` (train split: seed 0, held-out test split: seed 1) and
from `curation.vision.tissue_frames` (real H&E from PyPI wheels, low-power islands, special stains,
fluorescence, H&E-palette photos, pink charts, cell cartoons, CT/MR/X-ray/ultrasound scans from the
pydicom-data wheel; calibration and held-out splits share no pixels). `--fit` refits the stain classifier's softmax model on the calibration set
(`curation.vision.refit.calibration_set`) and rewrites curation/vision/stain_model.json; the report
always scores both held-out sets with the full labelling path (whole frame, then the cropped
picture of a mixed slide), and times the stain classifier and a small randomly initialised
open_clip model on this CPU.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image
from rich.console import Console
from rich.table import Table

from curation.demo.labelled import (
    TEST_SEED,
    generate_labelled_frames,
    load_labelled_frames,
)
from curation.vision.calibrate import frame_type
from curation.vision.labelling import label_images
from curation.vision.protocol import FRAME_TYPES, HISTOLOGY
from curation.vision.refit import calibration_set, fit_model, held_out_frames
from curation.vision.stain import MODEL_PATH, StainClassifier, load_model

ROOT = Path(__file__).resolve().parents[1]
LOOK_ALIKES = ("he_palette_photo", "pink_chart", "cell_cartoon", "radiology")
TINY_CLIP = {
    "embed_dim": 64,
    "vision_cfg": {
        "image_size": 112,
        "layers": 4,
        "width": 128,
        "head_width": 32,
        "patch_size": 16,
    },
    "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 128, "heads": 4, "layers": 4},
}


def load_split(folder: Path, per_class: int, seed: int):
    generate_labelled_frames(folder, per_class, seed)
    frames = load_labelled_frames(folder)
    return frames, [np.asarray(Image.open(f.path).convert("RGB")) for f in frames]


def fit(per_group: int, demo_per_class: int) -> None:
    calibration = calibration_set(per_group, demo_per_class)
    MODEL_PATH.write_text(fit_model(calibration, [], version="4").to_json())
    load_model.cache_clear()


def report_tissue(console: Console, per_group: int) -> None:
    """Histology precision and recall on real and hard-negative held-out frames, per group."""
    frames = held_out_frames(per_group)
    verdicts = label_images(StainClassifier(), [f.image for f in frames])
    said = [v.classification.label == HISTOLOGY for v in verdicts]
    truth = [f.frame_type == HISTOLOGY for f in frames]
    table = Table(title=f"held-out real and hard-negative frames ({len(frames)})")
    for column in ("group", "frames", "kept as histology", "labels"):
        table.add_column(column, justify="right")
    for group in dict.fromkeys(f.group for f in frames):
        members = [i for i, f in enumerate(frames) if f.group == group]
        labels = Counter(verdicts[i].classification.label for i in members)
        table.add_row(group, str(len(members)), f"{sum(said[i] for i in members) / len(members):.3f}",
                      ", ".join(f"{k} {n}" for k, n in labels.most_common()))
    console.print(table)
    tp = sum(s and t for s, t in zip(said, truth))
    console.print(
        f"real/hard-negative histology: precision {ratio(tp, sum(said)):.4f} (target >= 0.99), "
        f"recall {ratio(tp, sum(truth)):.4f} (target >= 0.98)"
    )
    look_alikes = [s for f, s in zip(frames, said) if f.group in LOOK_ALIKES]
    islands = [s for f, s in zip(frames, said) if f.group == "low_power_islands"]
    console.print(
        f"look-alikes ({', '.join(LOOK_ALIKES)}) kept: {sum(look_alikes)}/{len(look_alikes)} (target 0); "
        f"low-power islands kept: {ratio(sum(islands), len(islands)):.3f} (target >= 0.95)"
    )


def iou(a, b) -> float:
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def report_quality(console: Console, frames, verdicts) -> None:
    truth = [frame_type(f.label) for f in frames]
    predicted = [v.classification.label for v in verdicts]
    table = Table(title=f"held-out labelled frames (seed {TEST_SEED}, {len(frames)} frames)")
    for column in ("class", "frames", "precision", "recall"):
        table.add_column(column, justify="right")
    for name in FRAME_TYPES:
        tp = sum(t == p == name for t, p in zip(truth, predicted))
        table.add_row(
            name,
            str(truth.count(name)),
            f"{ratio(tp, predicted.count(name)):.4f}",
            f"{ratio(tp, truth.count(name)):.4f}",
        )
    console.print(table)
    tp = sum(t == p == HISTOLOGY for t, p in zip(truth, predicted))
    console.print(
        f"histology: precision {ratio(tp, predicted.count(HISTOLOGY)):.4f}, recall "
        f"{ratio(tp, truth.count(HISTOLOGY)):.4f} ({tp} of {truth.count(HISTOLOGY)} found, "
        f"{predicted.count(HISTOLOGY) - tp} false)"
    )
    misses = Counter(
        (f.label, v.classification.label)
        for f, v in zip(frames, verdicts)
        if (frame_type(f.label) == HISTOLOGY) != (v.classification.label == HISTOLOGY)
    )
    if misses:
        console.print(
            "histology errors (true class -> label): "
            + ", ".join(f"{a} -> {b}: {n}" for (a, b), n in misses.items())
        )

    mixed = [(f, v) for f, v in zip(frames, verdicts) if f.label == "histology_with_text"]
    cropped = [iou(v.crop_box, f.histology_box) for f, v in mixed if v.crop_box]
    console.print(
        f"histology beside text: {len(cropped)} of {len(mixed)} cropped, "
        "mean IoU with the true picture "
        f"{np.mean(cropped):.3f}, IoU >= 0.9 in {sum(x >= 0.9 for x in cropped)}"
    )
    false_crops = sum(
        v.crop_box is not None for f, v in zip(frames, verdicts) if frame_type(f.label) != HISTOLOGY
    )
    full_screen = [
        v for f, v in zip(frames, verdicts) if f.histology_box == (0, 0, *images_size(f))
    ]
    console.print(
        f"crops kept on non-histology frames: {false_crops}; full-screen sections cropped: "
        f"{sum(v.crop_box is not None for v in full_screen)} of {len(full_screen)}"
    )
    for stain, label in (("he", "histology_he"), ("ihc", "histology_ihc")):
        found = [
            v
            for f, v in zip(frames, verdicts)
            if f.label == label and v.classification.label == HISTOLOGY
        ]
        console.print(
            f"stain guess on {label}: "
            f"{ratio(sum(v.classification.stain == stain for v in found), len(found)):.3f}"
        )


def images_size(frame) -> tuple[int, int]:
    with Image.open(frame.path) as image:
        return image.size


def images_per_second(fn, images, repeats: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeats):
        fn(images)
    return repeats * len(images) / (time.perf_counter() - started)


def report_speed(console: Console, images, with_clip: bool) -> None:
    stain = StainClassifier()
    console.print(
        "stain classifier, whole 1280x720 frames: "
        f"{images_per_second(stain.classify, images):.0f} images/s"
    )
    speed = images_per_second(lambda batch: label_images(stain, batch), images)
    console.print(f"stain classifier with cropping (the labels stage's path): {speed:.0f} images/s")
    if not with_clip:
        return
    import open_clip
    import torch

    from curation.config import ClipSettings
    from curation.vision.clip import OpenClipClassifier

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench-tiny-clip.json"
        config.write_text(json.dumps(TINY_CLIP))
        open_clip.add_model_config(config)
        torch.manual_seed(0)
        checkpoint = Path(tmp) / "weights.pt"
        torch.save(open_clip.create_model("bench-tiny-clip").state_dict(), checkpoint)
        clip = OpenClipClassifier(
            ClipSettings(architecture=str(config), checkpoint=str(checkpoint))
        )
        batch = images[:128]
        clip.classify(batch[:8])  # warm-up
        console.print(
            f"open_clip, small random ViT (112 px, 4 layers), CPU, batch 32: "
            f"{images_per_second(clip.classify, batch):.0f} images/s "
            f"({torch.get_num_threads()} threads)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--fit", action="store_true", help="refit stain_model.json on the train split"
    )
    parser.add_argument("--data", type=Path, default=ROOT / ".cache" / "labelled")
    parser.add_argument("--train-per-class", type=int, default=60)
    parser.add_argument("--per-group", type=int, default=100, help="calibration frames per real-image group")
    parser.add_argument("--held-out-per-group", type=int, default=40)
    parser.add_argument("--test-per-class", type=int, default=120)
    parser.add_argument("--no-clip", action="store_true", help="skip the open_clip speed test")
    args = parser.parse_args()
    console = Console()

    if args.fit:
        fit(args.per_group, args.train_per_class)
        console.print(f"refitted {MODEL_PATH.relative_to(ROOT)}: {load_model().fitted_on}")
    frames, images = load_split(args.data / "test", args.test_per_class, TEST_SEED)
    console.print(f"model: {load_model().version}, fitted on {load_model().fitted_on}")
    report_quality(console, frames, label_images(StainClassifier(), images))
    report_tissue(console, args.held_out_per_group)
    report_speed(console, images, not args.no_clip)


if __name__ == "__main__":
    main()
