"""Input video lists: CSV files with `video_id,url`; a row with only an ID is a YouTube video."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from curation.records import VideoRef

VIDEO_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def youtube_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def read_manifest(path: Path) -> list[VideoRef]:
    """Video references of a manifest, in file order, first occurrence of an ID winning."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"manifest {path} does not exist")
    refs: dict[str, VideoRef] = {}
    with open(path, newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].lstrip().startswith("#")]
    if rows and rows[0][0].strip().lower() == "video_id":
        rows = rows[1:]
    for line_no, row in enumerate(rows, start=2):
        video_id = row[0].strip()
        url = row[1].strip() if len(row) > 1 else ""
        if not VIDEO_ID.match(video_id):
            raise ValueError(f"{path}: row {line_no}: '{video_id}' is not a valid video id")
        refs.setdefault(video_id, VideoRef(video_id, url or youtube_url(video_id)))
    return list(refs.values())


def write_manifest(path: Path, videos: list[VideoRef]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["video_id", "url"])
        writer.writerows([v.video_id, v.url] for v in videos)


TAKEDOWN_FILE = "takedown.csv"


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
    refs: dict[str, VideoRef] = {}
    for path in manifest_files(paths):
        for ref in read_manifest(path):
            refs.setdefault(ref.video_id, ref)
    return list(refs.values())
