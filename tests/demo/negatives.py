"""The negative corpus, built once into .cache/demo-negative and reused across sessions."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from curation.demo.build import build_demo_lectures

NEGATIVE_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "demo-negative"


@cache
def negative_corpus() -> Path:
    build_demo_lectures(NEGATIVE_CACHE, corpus="negative")
    return NEGATIVE_CACHE
