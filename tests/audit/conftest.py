"""Audit test fixtures: a synthetic dataset version, headless Chromium, a tiny open_clip model."""

from __future__ import annotations

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
