"""Human review labels in SQLite: one row per (pair, reviewer), the latest verdict wins."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from curation.store import utc_now

# The impurities an audit of Quilt-1M found in about 78% of its images; shortcut order (keys 1-8).
TAG_LABELS: dict[str, str] = {
    "person": "person",
    "desktop_or_viewer": "desktop or viewer",
    "text_or_logo": "text or logo",
    "arrows": "arrows",
    "non_histology_or_poor_quality": "non-histology or poor quality",
    "overview_thumbnail": "overview thumbnail",
    "control_elements": "control elements",
    "multi_panel": "multi-panel",
}
IMPURITY_TAGS: tuple[str, ...] = tuple(TAG_LABELS)

Verdict = Literal["accept", "reject"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    pair_id     TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')),
    tags        TEXT NOT NULL DEFAULT '[]',
    reviewer    TEXT NOT NULL,
    labelled_at TEXT NOT NULL,
    PRIMARY KEY (pair_id, reviewer)
)
"""


@dataclass(frozen=True)
class Label:
    pair_id: str
    verdict: Verdict
    tags: tuple[str, ...]
    reviewer: str
    labelled_at: str


def connect(db_path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, check_same_thread=False)
    conn.execute(SCHEMA)
    return conn


def save_label(
    conn: sqlite3.Connection, pair_id: str, verdict: str, tags: list[str], reviewer: str
) -> Label:
    if verdict not in ("accept", "reject"):
        raise ValueError(f"verdict must be 'accept' or 'reject', got {verdict!r}")
    unknown = sorted(set(tags) - set(IMPURITY_TAGS))
    if unknown:
        raise ValueError(f"unknown impurity tags {unknown}; known: {list(IMPURITY_TAGS)}")
    if not reviewer.strip():
        raise ValueError("reviewer name is empty")
    ordered = tuple(t for t in IMPURITY_TAGS if t in tags)
    label = Label(pair_id, verdict, ordered, reviewer, utc_now())
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO labels (pair_id, verdict, tags, reviewer, labelled_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (pair_id, verdict, json.dumps(list(ordered)), reviewer, label.labelled_at),
        )
    return label


def read_labels(conn: sqlite3.Connection, reviewer: str | None = None) -> list[Label]:
    query = "SELECT pair_id, verdict, tags, reviewer, labelled_at FROM labels"
    rows = (
        conn.execute(query + " WHERE reviewer = ?", (reviewer,))
        if reviewer
        else conn.execute(query)
    )
    return [Label(p, v, tuple(json.loads(t)), r, at) for p, v, t, r, at in rows]
