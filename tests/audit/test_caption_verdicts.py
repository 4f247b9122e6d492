"""Caption verdicts in SQLite, caption precision, the suggested text-confidence threshold, and the
unsure words marked in captions."""

from __future__ import annotations

import sqlite3

import pytest

from curation.audit.calibration import suggest_threshold
from curation.audit.highlight import caption_words
from curation.audit.metrics import audit_version
from curation.audit.precision import review_summary
from curation.audit.review_labels import connect, read_labels, save_label
from curation.config import Settings
from curation.export.versions import VersionReader
from tests.audit.reference import wilson
from tests.audit.synthetic import DATASET, MIN_TEXT_CONFIDENCE, VERSION

OLD_SCHEMA = """CREATE TABLE labels (pair_id TEXT NOT NULL, verdict TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '[]',
    reviewer TEXT NOT NULL, labelled_at TEXT NOT NULL, PRIMARY KEY (pair_id, reviewer))"""


def test_caption_verdicts_and_clicked_words_are_stored(tmp_path):
    conn = connect(tmp_path / "review.sqlite")
    save_label(conn, "p1", "accept", [], "ana", "words_not_said", [(3, "nucleoplyal"), (1, "needle-sustained")])
    save_label(conn, "p2", "reject", ["arrows"], "ana", "not_about_image")
    save_label(conn, "p3", "accept", [], "ana", "ok")
    labels = {lb.pair_id: lb for lb in read_labels(conn)}
    assert labels["p1"].caption == "words_not_said"
    assert labels["p1"].wrong_words == ((1, "needle-sustained"), (3, "nucleoplyal"))
    assert (labels["p2"].caption, labels["p2"].wrong_words) == ("not_about_image", ())
    stored = conn.execute("SELECT caption, wrong_words FROM labels WHERE pair_id = 'p1'").fetchone()
    assert stored == ("words_not_said", '[[1, "needle-sustained"], [3, "nucleoplyal"]]')
    with pytest.raises(ValueError, match="caption verdict must be one of"):
        save_label(conn, "p4", "accept", [], "ana", "garbled")
    with pytest.raises(ValueError, match="wrong words were marked"):
        save_label(conn, "p4", "accept", [], "ana", "ok", [(0, "The")])
    with pytest.raises(sqlite3.IntegrityError), conn:  # the table itself refuses an unknown verdict
        conn.execute("INSERT INTO labels VALUES ('p5', 'accept', '[]', 'ana', 'now', 'garbled', '[]')")


def test_a_review_database_from_before_caption_verdicts_is_upgraded_in_place(tmp_path):
    db = tmp_path / "review.sqlite"
    with sqlite3.connect(db) as old:
        old.execute(OLD_SCHEMA)
        old.execute("INSERT INTO labels VALUES ('p1', 'accept', '[]', 'ana', '2026-01-01T00:00:00+00:00')")
    conn = connect(db)
    save_label(conn, "p2", "accept", [], "ana", "ok")
    conn.close()
    summary = review_summary(db)
    assert summary["labelled"] == 2 and summary["precision"] == 1.0
    assert summary["caption"]["judged"] == 1  # the old label judged no caption


def test_caption_precision_counts_only_labels_that_judged_the_caption(tmp_path):
    db = tmp_path / "review.sqlite"
    conn = connect(db)
    verdicts = ["ok"] * 5 + ["words_not_said"] * 2 + ["not_about_image"] + [None] * 2
    for i, caption in enumerate(verdicts):
        words = [(0, "x")] if caption == "words_not_said" else []
        save_label(conn, f"p{i}", "accept" if i % 2 == 0 else "reject", [], "ana", caption, words)
    conn.close()
    caption = review_summary(db)["caption"]
    assert (caption["judged"], caption["right"]) == (8, 5)
    assert caption["precision"] == pytest.approx(5 / 8)
    assert caption["precision_ci95"] == pytest.approx(wilson(5, 8))
    assert caption["errors"]["words_not_said"]["count"] == 2 and caption["errors"]["not_about_image"]["count"] == 1
    assert caption["both_right"]["count"] == 3  # p0, p2, p4: accepted with a right caption


def test_the_suggested_threshold_is_the_smallest_that_reaches_the_target():
    # garbled captions below 0.4, one wrong one high up
    judged = [(0.1, False), (0.2, False), (0.3, True), (0.35, False), (0.4, True), (0.5, True),
              (0.6, True), (0.7, False), (0.8, True), (0.9, True), (0.95, True)]
    result = suggest_threshold(judged, current=0.5, target=0.8, min_kept=4)
    assert result["suggested"] == 0.4  # keeps 7, 6 right (0.857); 0.35 keeps 8, 6 right (0.75)
    assert (result["at_suggested"]["kept"], result["at_suggested"]["right"]) == (7, 6)
    assert result["at_suggested"]["ci95"] == pytest.approx(wilson(6, 7))
    assert [row["kept"] for row in result["curve"]] == list(range(11, 0, -1))
    assert result["current"] == 0.5 and result["reviewed"] == 11

    assert suggest_threshold(judged, 0.5, target=0.8, min_kept=12)["reason"].startswith("only 11 spoken pairs")
    strict = suggest_threshold(judged, 0.5, target=0.99, min_kept=4)
    assert strict["suggested"] is None and "no threshold keeps 4 or more" in strict["reason"]


def test_caption_words_mark_terms_and_unsure_words_at_their_positions():
    caption = "The nucleoplyal homophism is marked, so this tumor would be red-free."
    words = caption_words(caption, ["tumor"], ["nucleoplyal", "homophism", "red-free"])
    assert "".join(w.word + w.space for w in words) == caption
    assert [w.word for w in words] == caption.split()
    kinds = {i: w.kind for i, w in enumerate(words) if w.kind}
    assert kinds == {1: "uncertain", 2: "uncertain", 7: "term", 10: "uncertain"}
    assert (words[4].core, words[4].trail, words[10].core, words[10].trail) == ("marked", ",", "red-free", ".")
    bracketed = caption_words("Masson trichrome (x40) shows fibrosis.", ["Masson trichrome"])
    assert [(w.lead, w.core, w.trail, w.kind) for w in bracketed[:3]] == [
        ("", "Masson", "", "term"), ("", "trichrome", "", "term"), ("(", "x40", ")", "")
    ]
    assert [w.kind for w in caption_words("Nests of melanocytes.", [])] == ["", "", ""]


def test_the_audit_publishes_caption_precision_and_calibrates_on_dropped_pairs_too(store):
    reader = VersionReader(store, DATASET, VERSION)
    kept, dropped = reader.pairs(), reader.dropped("uncertain_text")
    conn = connect(store.local_path(reader.path("review.sqlite")))
    for i, pair in enumerate(kept):
        save_label(conn, pair.pair_id, "accept", [], "dr-h", "ok" if i != 2 else "not_about_image")
    save_label(conn, dropped[0].pair_id, "accept", [], "dr-h", "words_not_said", [(1, "nucleoplyal")])
    conn.close()

    audit = audit_version(reader, Settings()).model_dump(mode="json")
    review = audit["review"]
    assert audit["min_text_confidence"] == MIN_TEXT_CONFIDENCE
    assert review["labelled"] == len(kept)  # the version's precision counts its own pairs only
    assert review["caption"]["precision"] == pytest.approx((len(kept) - 1) / len(kept))
    assert review["caption"]["precision_ci95"] == pytest.approx(wilson(len(kept) - 1, len(kept)))
    calibration = review["calibration"]
    assert calibration["reviewed"] == len(kept) + 1 and calibration["current"] == MIN_TEXT_CONFIDENCE
    lowest = calibration["curve"][0]  # the dropped garbled caption, 0.21, is the lowest threshold measured
    assert (lowest["threshold"], lowest["kept"], lowest["right"]) == (0.21, len(kept) + 1, len(kept) - 1)
    assert lowest["ci95"] == pytest.approx(wilson(len(kept) - 1, len(kept) + 1))
    assert calibration["suggested"] is None and calibration["reason"].startswith(f"only {len(kept) + 1}")
    assert audit["captions"]["text_confidence"]["summary"]["min"] == pytest.approx(0.62)
