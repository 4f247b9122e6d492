"""List the videos a source names, with yt-dlp's flat extraction: metadata only, nothing downloaded.

A source is a channel or playlist URL (a YouTube channel: its `/videos` tab), an RSS feed, a
search query (`ytsearch20:h&e liver histology`), one video's URL or ID, or a text file whose
lines are sources of any of these kinds (`#` comments and blank lines skipped).
yt-dlp's generic extractor reads an RSS 2.0 feed as a playlist: an item's `guid` is its id, the
enclosure (else the link) its URL, `itunes:duration` its duration, the feed's title its channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import yt_dlp
from pydantic import BaseModel
from yt_dlp.utils import unsmuggle_url

from curation.ingest.manifest import youtube_url
from curation.store import VIDEO_ID

NOT_ID_CHARACTER = re.compile(r"[^A-Za-z0-9_.-]+")


class Candidate(BaseModel):
    """One listed video, with what the listing said about it."""

    video_id: str
    url: str
    title: str = ""
    description: str = ""
    channel: str = ""
    duration: float | None = None
    licence: str = ""
    language: str = ""
    upload_date: str = ""  # YYYYMMDD
    source: str = ""  # the source that listed it


def expand_sources(sources: list[str]) -> Iterator[str]:
    """Every source as something yt-dlp lists: files are read line by line, bare IDs become URLs."""
    for source in sources:
        source = source.strip()
        if Path(source).is_file():
            lines = Path(source).read_text().splitlines()
            yield from expand_sources([s for s in lines if s.strip() and not s.lstrip().startswith("#")])
        elif VIDEO_ID.match(source) and ":" not in source:
            yield youtube_url(source)
        else:
            yield source


def safe_video_id(raw: str) -> str:
    """A store-safe id from a listing's id (a feed's guid may be a URL)."""
    if VIDEO_ID.match(raw):
        return raw
    return NOT_ID_CHARACTER.sub("_", raw).strip("._")[-128:] or "video"


def entry_id(entry: dict, url: str, smuggled: dict) -> str:
    raw = smuggled.get("force_videoid") or entry.get("id") or Path(urlsplit(url).path).stem
    return safe_video_id(str(raw))


def upload_day(entry: dict) -> str:
    if entry.get("upload_date"):
        return str(entry["upload_date"])
    if entry.get("timestamp"):
        return datetime.fromtimestamp(entry["timestamp"], UTC).strftime("%Y%m%d")
    return ""


def to_candidate(entry: dict, playlist: dict | None, source: str) -> Candidate:
    """`entry` is a flat playlist entry (its `url` is the video's), or a whole single video
    (its `webpage_url` is; its `url` is the chosen format's)."""
    link = entry.get("url") if playlist is not None else entry.get("webpage_url")
    url, smuggled = unsmuggle_url(link or "", {})
    channel = entry.get("channel") or entry.get("uploader")
    if not channel and playlist is not None:
        channel = playlist.get("channel") or playlist.get("uploader") or playlist.get("title")
    return Candidate(
        video_id=entry_id(entry, url, smuggled or {}),
        url=url,
        title=entry.get("title") or "",
        description=entry.get("description") or "",
        channel=channel or "",
        duration=entry.get("duration"),
        licence=entry.get("license") or "",
        language=entry.get("language") or "",
        upload_date=upload_day(entry),
        source=source,
    )


def list_source(source: str, max_entries: int = 500) -> list[Candidate]:
    """The videos one source lists, newest first as the site orders them; a single video is a
    list of one. A listing error (site down, unsupported URL) raises yt_dlp's DownloadError."""
    options = {
        "extract_flat": "in_playlist", "skip_download": True, "quiet": True, "no_warnings": True,
        "playlistend": max_entries, "noprogress": True,
    }
    with yt_dlp.YoutubeDL(options) as ydl:
        info = ydl.sanitize_info(ydl.extract_info(source, download=False))
    if info.get("_type") != "playlist":
        return [to_candidate(info, None, source)]
    return [to_candidate(entry, info, source) for entry in info.get("entries") or [] if entry]
