"""open_clip's CSV: tab-separated, columns `filepath` and `title` (its `--csv-*-key` defaults)."""

from __future__ import annotations

import csv
from pathlib import Path


def write_clip_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["filepath", "title"])
        writer.writerows(rows)
