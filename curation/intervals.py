"""Time intervals: how much two overlap, and which timed records fall in a span."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class Timed(Protocol):
    start: float
    end: float


T = TypeVar("T", bound=Timed)


def overlap_s(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    """Seconds the two intervals share (0 when they are apart)."""
    return max(0.0, min(a_end, b_end) - max(a_start, b_start))


def overlapping(records: Iterable[T], start: float, end: float) -> list[T]:
    """The records that share some time with `start`-`end`."""
    return [r for r in records if overlap_s(r.start, r.end, start, end) > 0]
