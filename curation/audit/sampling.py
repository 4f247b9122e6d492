"""Stratified random sample of pairs for human review, by video and text type, reproducible by seed.

Each stratum gets a share of the sample proportional to its size (largest remainder, ties broken at
random), so the sample's precision estimates the version's precision without reweighting.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from typing import TypeVar

from curation.records import Pair

P = TypeVar("P", bound=Pair)

Stratum = tuple[str, str]


def stratum_of(pair: Pair) -> Stratum:
    return (pair.video_id, pair.text_type)


def allocate(sizes: dict[Stratum, int], n: int, rng: random.Random) -> dict[Stratum, int]:
    """Sample size per stratum, proportional to its size, summing to min(n, total)."""
    total = sum(sizes.values())
    n = min(n, total)
    quotas = {s: n * size / total for s, size in sizes.items()} if total else {}
    counts = {s: math.floor(q) for s, q in quotas.items()}
    left = n - sum(counts.values())
    by_remainder = sorted(quotas, key=lambda s: (quotas[s] - counts[s], rng.random()), reverse=True)
    for s in by_remainder[:left]:
        counts[s] += 1
    return counts


def stratified_sample(pairs: list[P], n: int, seed: int = 0) -> list[P]:
    """`n` pairs (all of them if fewer) in a seeded random order."""
    if n < 1:
        raise ValueError(f"sample size must be at least 1, got {n}")
    rng = random.Random(seed)
    strata: dict[Stratum, list[P]] = defaultdict(list)
    for pair in sorted(pairs, key=lambda p: p.pair_id):
        strata[stratum_of(pair)].append(pair)
    counts = allocate({s: len(members) for s, members in sorted(strata.items())}, n, rng)
    chosen = [pair for s in sorted(strata) for pair in rng.sample(strata[s], counts[s])]
    rng.shuffle(chosen)
    return chosen
