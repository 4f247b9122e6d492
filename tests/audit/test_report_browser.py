"""The report opens offline in real headless Chromium, with its image grids and figures."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curation.audit.calibration import suggest_threshold
from curation.audit.frames import frame_grids
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
    videos = page.inner_text("#video-table")
    assert "no keyframe classified as histology" in videos
    assert "speech heard" in videos and "0.71" in page.inner_text("#video-table tr:has(.vid:text-is('lec-a'))")
    assert "slides" in page.inner_text("#videos .lede")  # every stage of the graph has its dot explained

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


def test_report_shows_uncertain_captions_caption_precision_and_the_suggested_threshold(store, browser):
    reader = VersionReader(store, DATASET, VERSION)
    kept, garbled = reader.pairs(), reader.dropped("uncertain_text")[0]
    conn = connect(store.local_path(reader.path("review.sqlite")))
    for i, pair in enumerate(kept):
        save_label(conn, pair.pair_id, "accept", [], "dr-h", "not_about_image" if i == 0 else "ok")
    save_label(conn, garbled.pair_id, "accept", [], "dr-h", "words_not_said", [(1, "nucleoplyal")])
    conn.close()
    audit_version(reader, Settings())
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(Path(write_report(reader)).as_uri())

    dropped = page.locator("#uncertain-grid .card")
    assert dropped.count() == 1 and garbled.pair_id == dropped.get_attribute("data-pair")
    assert page.eval_on_selector_all("#uncertain-grid .uncertain", "els => els.map(e => e.textContent)") == [
        "nucleoplyal", "homophism", "red-free"
    ]
    assert "text confidence 0.21" in dropped.inner_text()
    assert "low" in page.locator("#uncertain-grid .chip", has_text="text confidence").get_attribute("class")
    least = page.locator("#least-confident-grid .card")
    assert least.count() == len(kept)
    assert "text confidence 0.62" in least.first.inner_text()
    assert least.first.locator(".uncertain").inner_text() == "pagetoid"
    assert "below 0.50 (slide text is exempt): 1 dropped" in page.inner_text("#uncertain .lede")

    right = len(kept) - 1
    assert f"{100 * right / len(kept):.1f}%" in page.inner_text("#caption-precision-tile")
    assert f"{right} of {len(kept)}" in page.inner_text("#caption-table")
    assert f"only {len(kept) + 1} spoken pairs" in page.inner_text("#threshold-suggestion")
    assert page.locator("#threshold-table tr").count() == 1 + len({p.text_confidence for p in kept} | {0.21})
    (SCREENSHOTS / "report-uncertain.png").write_bytes(page.locator("#uncertain").screenshot())

    # with enough reviewed captions the report names the threshold they support
    audit_path = store.local_path(reader.path("audit.json"))
    audit = json.loads(audit_path.read_text())
    judged = [(p.text_confidence, i != 0) for i, p in enumerate(kept)] + [(0.21, False)]
    audit["review"]["calibration"] = suggest_threshold(judged, 0.5, target=0.8, min_kept=3)
    audit_path.write_text(json.dumps(audit))
    page.goto(Path(write_report(reader)).as_uri())
    suggestion = page.inner_text("#threshold-suggestion")
    # 0.21 keeps all 8 reviewed, 6 right (75%); 0.62 keeps the 7 kept pairs, 6 right (85.7%)
    assert "Suggested export.min_text_confidence = 0.620" in suggestion and "6 of 7 right" in suggestion
    assert "this version uses 0.50" in suggestion
    page.close()


def test_report_shows_the_frames_the_filter_kept_and_rejected_with_types_and_scores(store, browser):
    audit_version(VersionReader(store, DATASET, VERSION), Settings())
    report = Path(write_report(VersionReader(store, DATASET, VERSION)))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(report.as_uri())

    def grid(name):
        cards = page.locator(f"#{name}-frames-grid .card")
        return [(cards.nth(i).get_attribute("data-frame"), cards.nth(i).locator(".chip").nth(0).inner_text(),
                 cards.nth(i).locator(".chip.score").inner_text()) for i in range(cards.count())]

    # lec-a's keyframe 3 is a near-duplicate, lec-f is taken down; kept weakest first, rejected strongest first
    assert grid("kept") == [("lec-b:1", "histology", "histology 0.70"), ("lec-a:1", "histology", "histology 0.85"),
                            ("lec-b:0", "histology", "histology 0.90"), ("lec-a:0", "histology", "histology 0.95")]
    assert grid("rejected") == [("lec-e:1", "desktop", "histology 0.20"), ("lec-e:0", "person", "histology 0.10"),
                                ("lec-a:2", "slide text", "histology 0.05")]
    widths = page.eval_on_selector_all("#frames img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert len(widths) == 7 and min(widths) > 0
    assert "low" in page.locator("#rejected-frames-grid .chip.score").first.get_attribute("class")
    assert "Kept: 4 of 4 shown" in page.inner_text("#frames")
    page.locator("#frames").screenshot(path=str(SCREENSHOTS / "report-frames.png"))
    page.close()


def test_a_long_frame_grid_spreads_over_the_ranking(store):
    grids = frame_grids(store, ["lec-a", "lec-b", "lec-e"], 0.5, limit=2)
    assert (grids.kept_total, grids.rejected_total) == (4, 3)
    assert [f.label.histology_score for f in grids.kept] == [0.7, 0.95]
    assert [f.label.histology_score for f in grids.rejected] == [0.2, 0.05]
