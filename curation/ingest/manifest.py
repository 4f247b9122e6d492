"""Input video lists: CSV files with `video_id,url`; a row with only an ID is a YouTube video.

With a header, the columns are named and may come in any order; `title` and `description` are
optional and stand in for what the video's page says (sites that give none, or a better one).

Blank rows (empty, spaces, only commas) and `#` comments are skipped, and the header is optional.
An ID listed again keeps its first URL; a later, different URL is ignored with a
`DuplicateVideoWarning` that names both lines.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from curation.records import VideoRef
from curation.store import check_video_id

HEADER = "video_id"
COLUMNS = ("video_id", "url", "title", "description")
TAKEDOWN_FILE = "takedown.csv"


class DuplicateVideoWarning(UserWarning):
    """A video ID listed again with another URL; the first URL is used."""


@dataclass(frozen=True)
class ManifestRow:
    ref: VideoRef
    where: str  # "FILE:LINE"


def youtube_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def numbered_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line of the row, stripped cells) of every row that is neither blank nor a comment."""
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        line = 1
        for row in reader:
            cells = [cell.strip() for cell in row]
            if any(cells) and not cells[0].startswith("#"):
                yield line, cells
            line = reader.line_num + 1


def manifest_rows(path: Path) -> list[ManifestRow]:
    """The video rows of one manifest, in file order; an error names the file and line."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"manifest {path} does not exist")
    rows = list(numbered_rows(path))
    columns = list(COLUMNS[:2])
    if rows and HEADER in (cell.lower() for cell in rows[0][1]):
        columns = [name.lower() for name in rows[0][1]]
        unknown = sorted(set(columns) - set(COLUMNS) - {""})
        if unknown:
            raise ValueError(f"{path}: line {rows[0][0]}: unknown column(s) {', '.join(unknown)}; "
                             f"known: {', '.join(COLUMNS)}")
        rows = rows[1:]
    if not rows:
        raise ValueError(f"manifest {path} lists no video: every line is blank, a comment or the header")
    found = []
    for line, cells in rows:
        fields = dict(zip(columns, cells))
        try:
            video_id = check_video_id(fields.get("video_id", ""))
        except ValueError as exc:
            raise ValueError(f"{path}: line {line}: {exc}") from None
        ref = VideoRef(video_id, fields.get("url") or youtube_url(video_id),
                       title=fields.get("title", ""), description=fields.get("description", ""))
        found.append(ManifestRow(ref, f"{path}:{line}"))
    return found


def unique_videos(rows: Iterable[ManifestRow]) -> list[VideoRef]:
    """One reference per ID, the first row winning; a later row with another URL is warned of."""
    first: dict[str, ManifestRow] = {}
    for row in rows:
        kept = first.setdefault(row.ref.video_id, row)
        if kept.ref.url != row.ref.url:
            warnings.warn(
                f"video '{row.ref.video_id}' is listed twice with different URLs: {kept.where} "
                f"({kept.ref.url}) wins, {row.where} ({row.ref.url}) is ignored",
                DuplicateVideoWarning,
            )
    return [row.ref for row in first.values()]


def read_manifest(path: Path) -> list[VideoRef]:
    """Video references of a manifest, in file order, first occurrence of an ID winning."""
    return unique_videos(manifest_rows(path))


def write_manifest(path: Path, videos: list[VideoRef]) -> None:
    columns = COLUMNS if any(v.title or v.description for v in videos) else COLUMNS[:2]
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows([getattr(v, column) for column in columns] for v in videos)


def manifest_files(paths: list[Path]) -> list[Path]:
    """Manifest CSVs named directly, or found in named folders (the takedown list excluded)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.glob("*.csv") if p.name != TAKEDOWN_FILE)
        else:
            files.append(path)
    return files


def read_manifests(paths: list[Path]) -> list[VideoRef]:
    """Video references of every manifest, in order, first occurrence of an ID winning."""
    return unique_videos(row for path in manifest_files(paths) for row in manifest_rows(path))
