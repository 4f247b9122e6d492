"""Label pairs on the review page in real Chromium with the keyboard; check SQLite and precision."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
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


@contextmanager
def serving(session):
    """The base URL of a review server for `session`, running in a thread."""
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
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def review(store):
    """(session, base URL) of a review server running in a thread."""
    session = open_session(VersionReader(store, DATASET, VERSION), REVIEWER, SAMPLE, seed=1)
    with serving(session) as url:
        yield session, url


@pytest.fixture
def caption_review(store):
    """A review of every pair of the version and of its one pair dropped as uncertain text."""
    session = open_session(VersionReader(store, DATASET, VERSION), REVIEWER, 100, seed=2, uncertain=5)
    with serving(session) as url:
        yield session, url


def db_rows(session) -> dict[str, tuple]:
    with sqlite3.connect(session.db_path) as conn:
        rows = conn.execute(
            "SELECT pair_id, verdict, tags, reviewer, labelled_at, caption, wrong_words FROM labels"
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


def word(page, at: int):
    return page.locator(f"#caption .word[data-at='{at}']")


def test_judge_captions_by_clicking_words_and_with_keys(caption_review, browser):
    session, url = caption_review
    reader = VersionReader(session.store, DATASET, VERSION)
    garbled = reader.dropped("uncertain_text")[0]
    kept = reader.pairs()
    assert {p.pair_id for p in session.sample} == {garbled.pair_id} | {p.pair_id for p in kept}
    off_topic = next(p.pair_id for p in session.sample if p.pair_id != garbled.pair_id)

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url)
    page.wait_for_function("document.getElementById('caption').textContent.length > 0")
    assert "pagetoid" not in page.inner_text("#caption-verdict")  # nothing tells what the text stage doubted
    for pair in session.sample:
        assert page.inner_text("#caption") == pair.caption
        if pair.pair_id == garbled.pair_id:
            word(page, 1).click()
            word(page, 2).click()
            word(page, 2).click()  # clicked again: not wrong after all
            assert "wrong" in word(page, 1).get_attribute("class")
            assert "wrong" not in word(page, 2).get_attribute("class")
            assert page.inner_text("#caption-verdict") == "words not said / wrong term: nucleoplyal"
            press(page, "a")
        elif pair.pair_id == off_topic:
            press(page, "w", "w", "x")  # words toggled on and off, then not about the image
            assert page.inner_text("#caption-verdict") == "not about this image"
            press(page, "r")
        else:
            assert page.inner_text("#caption-verdict") == "caption right"
            press(page, "a")
        press(page, "n")
    assert f"All {len(session.sample)} pairs" in page.inner_text("#done")

    rows = db_rows(session)
    assert rows[garbled.pair_id][4:] == ("words_not_said", '[[1, "nucleoplyal"]]')
    assert rows[off_topic][0] == "reject" and rows[off_topic][4:] == ("not_about_image", "[]")
    assert {row[4] for pid, row in rows.items() if pid not in (garbled.pair_id, off_topic)} == {"ok"}

    # a word clicked on a labelled pair is saved at once; the server checks it is that word
    press(page, "p")
    last = session.sample[-1]
    word(page, 0).click()
    page.evaluate("() => saving")
    updated = db_rows(session)[last.pair_id]
    assert updated[4] != "ok" and f'[0, "{last.caption.split()[0]}"]' in updated[5]
    summary = review_summary(session.db_path, [p.pair_id for p in kept])
    assert summary["caption"]["judged"] == len(kept)
    status = page.evaluate(
        """async (pairId) => (await fetch('/api/label', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({pair_id: pairId, verdict: 'accept', caption: 'words_not_said',
                                    wrong_words: [[0, 'Nonsense']]})})).status""",
        last.pair_id,
    )
    assert status == 422
    page.close()
