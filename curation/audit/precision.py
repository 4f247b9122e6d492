"""Image and caption precision and impurity rates from human review labels, with 95% Wilson intervals."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from curation.audit.review_labels import IMPURITY_TAGS, Label, connect, read_labels


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion; (0, 1) when nothing was observed."""
    if trials == 0:
        return (0.0, 1.0)
    from scipy.stats import binomtest

    ci = binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def proportion(successes: int, trials: int) -> dict:
    return {
        "count": successes,
        "of": trials,
        "rate": successes / trials if trials else None,
        "ci95": list(wilson_interval(successes, trials)),
    }


def caption_summary(labels: list[Label]) -> dict:
    """Caption precision (share judged right) over the labels that judged the caption, with the
    share of each caption error and of pairs right on both sides (image accepted, caption right)."""
    judged = [lb for lb in labels if lb.caption is not None]
    right = sum(lb.caption == "ok" for lb in judged)
    n = len(judged)
    return {
        "judged": n,
        "right": right,
        "precision": right / n if n else None,
        "precision_ci95": list(wilson_interval(right, n)),
        "errors": {v: proportion(sum(lb.caption == v for lb in judged), n) for v in ("words_not_said", "not_about_image")},
        "both_right": proportion(sum(lb.caption == "ok" and lb.verdict == "accept" for lb in judged), n),
    }


def summarize_labels(labels: list[Label]) -> dict:
    """Image precision (share accepted), caption precision and per-tag impurity rates over the labels."""
    n = len(labels)
    accepted = sum(lb.verdict == "accept" for lb in labels)
    return {
        "labelled": n,
        "pairs": len({lb.pair_id for lb in labels}),
        "reviewers": sorted({lb.reviewer for lb in labels}),
        "accepted": accepted,
        "precision": accepted / n if n else None,
        "precision_ci95": list(wilson_interval(accepted, n)),
        "caption": caption_summary(labels),
        "any_impurity": proportion(sum(bool(lb.tags) for lb in labels), n),
        "impurities": {
            tag: proportion(sum(tag in lb.tags for lb in labels), n) for tag in IMPURITY_TAGS
        },
    }


def read_all_labels(db_path: str | Path) -> list[Label]:
    if not Path(db_path).is_file():
        raise FileNotFoundError(f"review database {db_path} does not exist")
    conn = connect(db_path)
    try:
        return read_labels(conn)
    finally:
        conn.close()


def review_summary(db_path: str | Path, pair_ids: Collection[str] | None = None) -> dict:
    """Summary of every label in the review database, or of those of `pair_ids` only."""
    labels = read_all_labels(db_path)
    if pair_ids is not None:
        wanted = set(pair_ids)
        labels = [lb for lb in labels if lb.pair_id in wanted]
    return summarize_labels(labels)
