"""Human review labels in SQLite: one row per (pair, reviewer), the latest verdict wins.

A label judges the image (accept or reject, with impurity tags) and the caption: `ok`,
`words_not_said` (with the words the reviewer clicked: their position in `caption.split()` and
the word) or `not_about_image`. Labels written before captions were judged have none (NULL).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

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
CaptionVerdict = Literal["ok", "words_not_said", "not_about_image"]
CAPTION_VERDICTS: tuple[str, ...] = get_args(CaptionVerdict)
CAPTION_LABELS: dict[str, str] = {
    "ok": "caption right",
    "words_not_said": "words not said / wrong term",
    "not_about_image": "not about this image",
}
WrongWord = tuple[int, str]  # (position in caption.split(), the word)

SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    pair_id     TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')),
    tags        TEXT NOT NULL DEFAULT '[]',
    reviewer    TEXT NOT NULL,
    labelled_at TEXT NOT NULL,
    caption     TEXT CHECK (caption IN ('ok', 'words_not_said', 'not_about_image')),
    wrong_words TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (pair_id, reviewer)
)
"""
# columns added since the first review databases were written, as `ALTER TABLE ... ADD COLUMN`
ADDED_COLUMNS = {
    "caption": "caption TEXT CHECK (caption IN ('ok', 'words_not_said', 'not_about_image'))",
    "wrong_words": "wrong_words TEXT NOT NULL DEFAULT '[]'",
}


@dataclass(frozen=True)
class Label:
    pair_id: str
    verdict: Verdict
    tags: tuple[str, ...]
    reviewer: str
    labelled_at: str
    caption: CaptionVerdict | None = None
    wrong_words: tuple[WrongWord, ...] = ()


def connect(db_path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, check_same_thread=False)
    with conn:
        conn.execute(SCHEMA)
        present = {row[1] for row in conn.execute("PRAGMA table_info(labels)")}
        for name, column in ADDED_COLUMNS.items():
            if name not in present:
                conn.execute(f"ALTER TABLE labels ADD COLUMN {column}")
    return conn


def check_label(verdict: str, tags: list[str], reviewer: str, caption: str | None, wrong_words: list) -> None:
    if verdict not in ("accept", "reject"):
        raise ValueError(f"verdict must be 'accept' or 'reject', got {verdict!r}")
    unknown = sorted(set(tags) - set(IMPURITY_TAGS))
    if unknown:
        raise ValueError(f"unknown impurity tags {unknown}; known: {list(IMPURITY_TAGS)}")
    if not reviewer.strip():
        raise ValueError("reviewer name is empty")
    if caption is not None and caption not in CAPTION_VERDICTS:
        raise ValueError(f"caption verdict must be one of {list(CAPTION_VERDICTS)}, got {caption!r}")
    if wrong_words and caption in (None, "ok"):
        raise ValueError("wrong words were marked but the caption verdict is not a caption error")


def save_label(
    conn: sqlite3.Connection, pair_id: str, verdict: str, tags: list[str], reviewer: str,
    caption: str | None = None, wrong_words: list[WrongWord] = (),
) -> Label:
    check_label(verdict, tags, reviewer, caption, list(wrong_words))
    ordered = tuple(t for t in IMPURITY_TAGS if t in tags)
    words = tuple(sorted({(int(at), str(word)) for at, word in wrong_words}))
    label = Label(pair_id, verdict, ordered, reviewer, utc_now(), caption, words)
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO labels (pair_id, verdict, tags, reviewer, labelled_at, caption, wrong_words) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pair_id, verdict, json.dumps(list(ordered)), reviewer, label.labelled_at, caption,
             json.dumps([list(w) for w in words])),
        )
    return label


def read_labels(conn: sqlite3.Connection, reviewer: str | None = None) -> list[Label]:
    query = "SELECT pair_id, verdict, tags, reviewer, labelled_at, caption, wrong_words FROM labels"
    rows = (
        conn.execute(query + " WHERE reviewer = ?", (reviewer,))
        if reviewer
        else conn.execute(query)
    )
    return [
        Label(p, v, tuple(json.loads(t)), r, at, c, tuple((at_, w) for at_, w in json.loads(ww)))
        for p, v, t, r, at, c, ww in rows
    ]
