"""A text-confidence threshold suggested by reviewers' caption verdicts.

Every reviewed spoken pair gives (its text confidence, whether its caption was judged right). A
threshold t keeps the pairs of confidence >= t; the suggestion is the smallest t whose kept
reviewed pairs reach the caption-precision target, among thresholds that keep enough of them to
measure. The review sample mixes kept pairs with pairs the version dropped as `uncertain_text`,
so thresholds below the version's own are measured too.
"""

from __future__ import annotations

from curation.audit.precision import wilson_interval

CAPTION_PRECISION_TARGET = 0.9
MIN_KEPT = 10  # fewer reviewed pairs above a threshold measure nothing


def precision_curve(judged: list[tuple[float, bool]]) -> list[dict]:
    """Per distinct confidence t (ascending): the reviewed pairs at or above t and their precision."""
    rows = []
    for t in sorted({c for c, _ in judged}):
        kept = [right for c, right in judged if c >= t]
        rows.append({
            "threshold": t, "kept": len(kept), "right": sum(kept),
            "precision": sum(kept) / len(kept), "ci95": list(wilson_interval(sum(kept), len(kept))),
        })
    return rows


def suggest_threshold(
    judged: list[tuple[float, bool]], current: float | None,
    target: float = CAPTION_PRECISION_TARGET, min_kept: int = MIN_KEPT,
) -> dict:
    curve = precision_curve(judged)
    found = next((row for row in curve if row["kept"] >= min_kept and row["precision"] >= target), None)
    if found:
        reason = ""
    elif len(judged) < min_kept:
        reason = f"only {len(judged)} spoken pairs have a caption verdict; at least {min_kept} are needed"
    else:
        reason = f"no threshold keeps {min_kept} or more reviewed captions at {target:.0%} caption precision"
    return {
        "target": target,
        "min_kept": min_kept,
        "reviewed": len(judged),
        "current": current,
        "suggested": found["threshold"] if found else None,
        "at_suggested": found,
        "reason": reason,
        "curve": curve,
    }
