"""The report opens offline in real headless Chromium, with its image grids and figures."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curation.audit.metrics import audit_version
from curation.audit.report import write_report
from curation.audit.review_labels import connect, save_label
from curation.config import Settings
from curation.export.versions import NoDataset, VersionReader
from tests.audit.synthetic import DATASET, VERSION
from tests.conftest import TEST_DATA

SCREENSHOTS = TEST_DATA / "audit"


def label_some_pairs(store) -> None:
    conn = connect(store.local_path(f"{store.dataset_dir(DATASET, VERSION)}/review.sqlite"))
    for i, pair in enumerate(VersionReader(store, DATASET, VERSION).pairs()):
        rejected = i in (2, 5)
        save_label(
            conn,
            pair.pair_id,
            "reject" if rejected else "accept",
            ["arrows", "text_or_logo"] if rejected else [],
            "dr-h",
        )
    conn.close()


def test_report_renders_offline_with_the_pair_grid(store, browser):
    label_some_pairs(store)
    audit_version(VersionReader(store, DATASET, VERSION), Settings())
    report = Path(write_report(VersionReader(store, DATASET, VERSION)))
    assert report.is_file() and report.parent.name == VERSION

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")

    grid = page.eval_on_selector_all(
        "#random-grid img", "imgs => imgs.map(i => i.complete && i.naturalWidth)"
    )
    assert len(grid) == 7 and all(width > 0 for width in grid)
    lowest = page.eval_on_selector_all("#lowest-grid img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(lowest) == 7 and all(width > 0 for width in lowest)
    figures = page.eval_on_selector_all(
        ".figure img", "imgs => imgs.map(i => [i.alt, i.naturalWidth])"
    )
    assert {alt for alt, width in figures if width > 0} >= {
        "video funnel",
        "keyframe funnel",
        "caption length",
        "medical-term density",
        "impurity rates",
    }
    assert not [url for url in requests if not url.startswith(("file:", "data:"))]

    assert "heard as: “Nests of atypical melonocytes" in page.inner_text("#random-grid")
    assert page.inner_text("#random-grid mark >> nth=0")
    review = page.inner_text("#review")
    assert "71.4%" in review  # 5 of 7 accepted
    assert "arrows" in page.inner_text("#impurity-table")
    assert "no keyframe classified as histology" in page.inner_text("#video-table")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = page.locator("#random").screenshot()
    (SCREENSHOTS / "report-grid.png").write_bytes(shot)
    page.screenshot(path=str(SCREENSHOTS / "report-full.png"), full_page=True)
    page.close()

    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
    assert pixels.shape[0] > 300 and pixels.shape[1] > 1000
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 5000  # real tissue, not blank boxes
    red, green, blue = (pixels[..., c].astype(int) for c in range(3))
    assert ((red - green > 40) & (blue - green > 20)).mean() > 0.02  # stained (pink/purple) pixels


def test_report_without_review_or_similarity_says_so(store, browser):
    audit_version(VersionReader(store, DATASET, VERSION), Settings())
    report = Path(write_report(VersionReader(store, DATASET, VERSION)))
    page = browser.new_page()
    page.goto(report.as_uri())
    assert "No human review yet" in page.inner_text("#review")
    assert "image-text similarity not computed" in page.inner_text("header")
    assert "histology score" in page.inner_text("#lowest .lede")
    page.close()


def test_report_needs_an_audit_first(store):
    with pytest.raises(FileNotFoundError, match="run the audit"):
        write_report(VersionReader(store, DATASET, VERSION))
    shutil.rmtree(store.local_path(store.dataset_dir(DATASET, VERSION)))
    with pytest.raises(NoDataset, match=f"has no version '{VERSION}'"):
        write_report(VersionReader(store, DATASET, VERSION))
