"""Audit test fixtures: a synthetic dataset version, headless Chromium, a tiny open_clip model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from curation.store import Store
from tests.audit.synthetic import build_version

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TINY_CLIP = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 1, "width": 64, "head_width": 32, "patch_size": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 1},
}


@pytest.fixture(scope="session")
def built_version(tmp_path_factory) -> Path:
    return Path(build_version(tmp_path_factory.mktemp("built") / "data").root)


@pytest.fixture
def store(built_version, tmp_path) -> Store:
    """A private copy of the synthetic data root, so tests may write into it."""
    root = tmp_path / "data"
    shutil.copytree(built_version, root)
    return Store(root)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def tiny_clip_checkpoint(tmp_path_factory) -> tuple[str, str]:
    """(model-config JSON, checkpoint) of a randomly initialised tiny open_clip model."""
    import open_clip
    import torch

    folder = tmp_path_factory.mktemp("clip")
    config = folder / "audit-tiny-clip.json"
    config.write_text(json.dumps(TINY_CLIP))
    open_clip.add_model_config(config)
    torch.manual_seed(0)
    model = open_clip.create_model("audit-tiny-clip")
    checkpoint = folder / "audit-tiny-clip.pt"
    torch.save(model.state_dict(), checkpoint)
    return str(config), str(checkpoint)
