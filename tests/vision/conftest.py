from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curation.demo.labelled import LabelledFrame, generate_labelled_frames, load_labelled_frames
from tests.conftest import TEST_DATA

# neither the calibration seed (0) nor the bench's held-out seed (1)
LABELLED_SEED = 5
TINY_CLIP = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 32, "patch_size": 16},
    "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}


@dataclass(frozen=True)
class Labelled:
    frames: list[LabelledFrame]
    images: list[np.ndarray]

    def of(self, label: str) -> list[tuple[LabelledFrame, np.ndarray]]:
        return [(f, img) for f, img in zip(self.frames, self.images) if f.label == label]


@pytest.fixture(scope="session")
def labelled() -> Labelled:
    folder = TEST_DATA / f"labelled-seed{LABELLED_SEED}"
    generate_labelled_frames(folder, per_class=10, seed=LABELLED_SEED)
    frames = load_labelled_frames(folder)
    return Labelled(frames, [np.asarray(Image.open(f.path).convert("RGB")) for f in frames])


@dataclass(frozen=True)
class TinyClip:
    config: Path
    checkpoint: Path
    state_dict: dict


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory) -> TinyClip:
    """A randomly initialised small open_clip architecture saved like a trained checkpoint."""
    import open_clip
    import torch

    folder = tmp_path_factory.mktemp("clip")
    config = folder / "tiny-test-clip.json"
    config.write_text(json.dumps(TINY_CLIP))
    open_clip.add_model_config(config)
    torch.manual_seed(7)
    model = open_clip.create_model("tiny-test-clip")
    checkpoint = folder / "tiny.pt"
    torch.save(model.state_dict(), checkpoint)
    return TinyClip(config, checkpoint, model.state_dict())
