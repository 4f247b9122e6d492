"""Review labels in SQLite, precision with Wilson intervals, and the stratified review sample."""

from __future__ import annotations

import sqlite3
from collections import Counter
from types import SimpleNamespace

import pytest

from curation.audit.precision import review_summary, wilson_interval
from curation.audit.review_labels import IMPURITY_TAGS, connect, save_label
from curation.audit.sampling import stratified_sample
from tests.audit.reference import wilson


@pytest.mark.parametrize(("k", "n"), [(1, 3), (17, 20), (50, 200)])
def test_wilson_interval_matches_the_formula(k, n):
    assert wilson_interval(k, n) == pytest.approx(wilson(k, n))


def test_wilson_interval_at_the_edges():
    low, high = wilson_interval(20, 20)
    assert high == pytest.approx(1.0) and 0.8 < low < 0.9
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_review_summary_over_the_sqlite_rows(tmp_path):
    db = tmp_path / "review.sqlite"
    conn = connect(db)
    for i in range(8):
        save_label(
            conn,
            f"p{i}",
            "accept" if i < 6 else "reject",
            ["multi_panel"] if i % 4 == 0 else [],
            "ana",
        )
    save_label(conn, "p0", "reject", ["person"], "ben")  # a second reviewer's label is a label too
    conn.close()

    rows = (
        sqlite3.connect(db)
        .execute("SELECT pair_id, verdict, tags, reviewer, labelled_at FROM labels")
        .fetchall()
    )
    assert len(rows) == 9 and ("p0", "reject", '["person"]', "ben") == rows[-1][:4]
    summary = review_summary(db)
    assert (summary["labelled"], summary["pairs"], summary["accepted"]) == (9, 8, 6)
    assert summary["reviewers"] == ["ana", "ben"]
    assert summary["precision"] == pytest.approx(6 / 9)
    assert summary["precision_ci95"] == pytest.approx(wilson(6, 9))
    assert summary["impurities"]["multi_panel"]["count"] == 2
    assert summary["impurities"]["person"]["ci95"] == pytest.approx(wilson(1, 9))
    assert summary["any_impurity"]["count"] == 3
    assert set(summary["impurities"]) == set(IMPURITY_TAGS)
    assert review_summary(db, pair_ids=["p6", "p7"])["precision"] == 0.0


def test_bad_labels_are_refused_with_a_clear_message(tmp_path):
    conn = connect(tmp_path / "review.sqlite")
    with pytest.raises(ValueError, match="verdict must be"):
        save_label(conn, "p1", "maybe", [], "ana")
    with pytest.raises(ValueError, match="unknown impurity tags"):
        save_label(conn, "p1", "accept", ["smudge"], "ana")
    with pytest.raises(ValueError, match="reviewer"):
        save_label(conn, "p1", "accept", [], " ")
    with pytest.raises(FileNotFoundError):
        review_summary(tmp_path / "missing.sqlite")


def make_pairs(sizes: dict[tuple[str, str], int]) -> list[SimpleNamespace]:
    """Stand-ins with the three fields sampling reads."""
    return [
        SimpleNamespace(pair_id=f"{video}-{text_type}-{i:03d}", video_id=video, text_type=text_type)
        for (video, text_type), size in sizes.items()
        for i in range(size)
    ]


SIZES = {("v1", "med"): 50, ("v1", "roi"): 30, ("v2", "med"): 15, ("v3", "roi"): 5}


def test_sample_is_proportional_to_each_video_and_text_type():
    sample = stratified_sample(make_pairs(SIZES), 20, seed=3)
    assert Counter((p.video_id, p.text_type) for p in sample) == {
        ("v1", "med"): 10,
        ("v1", "roi"): 6,
        ("v2", "med"): 3,
        ("v3", "roi"): 1,
    }
    assert len({p.pair_id for p in sample}) == 20


def test_sample_is_reproducible_by_seed_and_independent_of_input_order():
    pairs = make_pairs(SIZES)
    first = [p.pair_id for p in stratified_sample(pairs, 12, seed=7)]
    assert first == [p.pair_id for p in stratified_sample(list(reversed(pairs)), 12, seed=7)]
    assert first != [p.pair_id for p in stratified_sample(pairs, 12, seed=8)]


def test_sample_larger_than_the_version_takes_every_pair_once():
    pairs = make_pairs(SIZES)
    sample = stratified_sample(pairs, 1000, seed=0)
    assert sorted(p.pair_id for p in sample) == sorted(p.pair_id for p in pairs)
    with pytest.raises(ValueError, match="at least 1"):
        stratified_sample(pairs, 0)
