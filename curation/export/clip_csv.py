"""open_clip's CSV: tab-separated, columns `filepath` and `title` (its `--csv-*-key` defaults), then
the pair's id and metadata, which open_clip ignores and a trainer may filter or condition on."""

from __future__ import annotations

import csv
from pathlib import Path

from curation.records import Pair

METADATA = ("pair_id", "text_type", "text_confidence", "stains_on_slide", "magnification")


def metadata(pair: Pair) -> list[str]:
    return [
        pair.pair_id, pair.text_type, f"{pair.text_confidence:.3f}",
        "; ".join(pair.stains_on_slide), pair.magnification or "",
    ]


def write_clip_csv(path: Path, rows: list[tuple[str, Pair]]) -> None:
    """`rows`: (where a trainer opens the image, its pair)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["filepath", "title", *METADATA])
        writer.writerows([image, pair.caption, *metadata(pair)] for image, pair in rows)
