"""Label pairs on the review page in real Chromium with the keyboard; check SQLite and precision."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime

import pytest
import uvicorn

from curation.audit.precision import review_summary
from curation.audit.review import create_app, open_session
from curation.audit.sampling import stratified_sample
from curation.export.versions import VersionReader
from tests.audit.reference import wilson
from tests.audit.synthetic import DATASET, VERSION

REVIEWER = "dr-h"
SAMPLE = 5


@pytest.fixture
def review(store):
    """(session, base URL) of a review server running in a thread."""
    session = open_session(VersionReader(store, DATASET, VERSION), REVIEWER, SAMPLE, seed=1)
    server = uvicorn.Server(
        uvicorn.Config(create_app(session), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "review server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield session, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def db_rows(session) -> dict[str, tuple]:
    with sqlite3.connect(session.db_path) as conn:
        rows = conn.execute(
            "SELECT pair_id, verdict, tags, reviewer, labelled_at FROM labels"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def press(page, *keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)
    page.evaluate("() => saving")  # every label posted so far has been stored


def test_sample_is_stratified_and_seeded(store):
    session = open_session(VersionReader(store, DATASET, VERSION), REVIEWER, SAMPLE, seed=1)
    expected = stratified_sample(VersionReader(store, DATASET, VERSION).pairs(), SAMPLE, seed=1)
    assert [p.pair_id for p in session.sample] == [p.pair_id for p in expected]
    with pytest.raises(ValueError, match="reviewer"):
        open_session(VersionReader(store, DATASET, VERSION), " ", SAMPLE)


def test_label_pairs_with_the_keyboard(review, browser):
    session, url = review
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url)
    page.wait_for_function("document.getElementById('caption').textContent.length > 0")
    ids = [p.pair_id for p in session.sample]
    assert page.inner_text("#caption") == session.sample[0].caption
    assert session.sample[0].video_id in page.inner_text("#meta")
    page.wait_for_function("document.getElementById('image').naturalWidth > 0")

    press(page, "n")  # an unlabelled pair cannot be skipped
    assert "label this pair first" in page.inner_text("#message")
    assert page.inner_text("#caption") == session.sample[0].caption

    press(page, "1", "a", "n")  # tag first, then accept
    press(page, "r", "5", "6", "Space")  # reject, then two tags
    press(page, "a", "n")
    press(page, "r", "2", "8", "2", "n")  # a tag toggled on and off again
    assert page.inner_text("#caption") == session.sample[4].caption
    press(page, "a", "3")
    assert "✓ accepted" in page.inner_text("#verdict")
    assert "on" in page.get_attribute("#tags li[data-tag='text_or_logo']", "class")
    press(page, "n")
    assert f"All {SAMPLE} pairs" in page.inner_text("#done")

    rows = db_rows(session)
    assert {pid: row[:3] for pid, row in rows.items()} == {
        ids[0]: ("accept", '["person"]', REVIEWER),
        ids[1]: ("reject", '["non_histology_or_poor_quality", "overview_thumbnail"]', REVIEWER),
        ids[2]: ("accept", "[]", REVIEWER),
        ids[3]: ("reject", '["multi_panel"]', REVIEWER),
        ids[4]: ("accept", '["text_or_logo"]', REVIEWER),
    }
    assert all(datetime.fromisoformat(row[3]).tzinfo is not None for row in rows.values())
    summary = review_summary(session.db_path)
    assert summary["precision"] == pytest.approx(3 / 5)
    assert summary["precision_ci95"] == pytest.approx(wilson(3, 5))
    assert (
        summary["impurities"]["multi_panel"]["count"] == 1
        and summary["impurities"]["desktop_or_viewer"]["count"] == 0
    )

    # reopening resumes where the reviewer stopped; going back and changing a verdict replaces it
    page.reload()
    page.wait_for_function("document.getElementById('progress').textContent.length > 0")
    assert page.inner_text("#progress").startswith(f"{SAMPLE} / {SAMPLE} labelled")
    press(page, "p")
    assert page.inner_text("#caption") == session.sample[4].caption
    press(page, "r")
    assert db_rows(session)[ids[4]][:2] == ("reject", '["text_or_logo"]')
    assert review_summary(session.db_path)["precision"] == pytest.approx(2 / 5)
    page.close()


def test_the_server_refuses_labels_for_pairs_outside_the_sample(review, browser):
    session, url = review
    page = browser.new_page()
    page.goto(url)
    outside = next(
        p.pair_id
        for p in VersionReader(session.store, DATASET, VERSION).pairs()
        if p.pair_id not in session.sampled
    )
    status = page.evaluate(
        """async (pairId) => (await fetch('/api/label', {method: 'POST',
              headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({pair_id: pairId, verdict: 'accept', tags: []})})).status""",
        outside,
    )
    assert status == 422 and db_rows(session) == {}
    assert page.evaluate("async () => (await fetch('/image/99')).status") == 404
    page.close()
