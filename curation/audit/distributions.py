"""Compact descriptions of a distribution: quantile summary and a fixed-bin histogram."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

QUANTILES = {"p5": 5, "p25": 25, "median": 50, "p75": 75, "p95": 95}


def summary(values: Sequence[float]) -> dict:
    if len(values) == 0:
        return {"n": 0}
    arr = np.asarray(values, dtype=float)
    return {
        "n": int(arr.size),
        "mean": float(arr.mean()),
        "min": float(arr.min()),
        **{name: float(np.percentile(arr, q)) for name, q in QUANTILES.items()},
        "max": float(arr.max()),
    }


def histogram(
    values: Sequence[float], bins: int = 20, value_range: tuple[float, float] | None = None
) -> dict:
    arr = np.asarray(values, dtype=float)
    if arr.size == 0 and value_range is None:
        return {"edges": [], "counts": []}
    counts, edges = np.histogram(arr, bins=bins, range=value_range)
    return {"edges": [round(float(e), 6) for e in edges], "counts": [int(c) for c in counts]}


def integer_histogram(values: Sequence[int], max_bins: int = 60) -> dict:
    """Histogram of counts (words, terms) with bins centred on whole numbers."""
    if len(values) == 0:
        return {"edges": [], "counts": []}
    low, high = min(values), max(values)
    width = max(1, -(-(high - low + 1) // max_bins))
    edges = np.arange(low - 0.5, high + width, width)
    counts, _ = np.histogram(values, bins=edges)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def describe(
    values: Sequence[float], bins: int = 20, value_range: tuple[float, float] | None = None
) -> dict:
    return {"summary": summary(values), "histogram": histogram(values, bins, value_range)}


def describe_counts(values: Sequence[int]) -> dict:
    return {"summary": summary(values), "histogram": integer_histogram(values)}
