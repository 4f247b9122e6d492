"""Fetch stage: download one video with yt-dlp and keep its info JSON."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from curation.config import Settings
from curation.errors import TransientError
from curation.media import verify_media
from curation.pipeline import StageContext
from curation.records import Video, VideoRef
from curation.store import utc_now

MEDIA_STEM = "video"
YTDLP_INFO = "ytdlp-info.json"  # everything the site said about the video, kept for audit
TRANSIENT = re.compile(r"HTTP Error (429|5\d\d)|timed out|Connection (reset|refused|aborted)|Temporary failure", re.I)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ydl_options(settings: Settings, workdir: Path) -> dict:
    opts = {
        "format": settings.fetch.format,
        "outtmpl": str(workdir / f"{MEDIA_STEM}.%(ext)s"),
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "retries": settings.fetch.retries,
        "socket_timeout": 30,
        "merge_output_format": "mp4",
        "noplaylist": True,
        "sleep_interval": settings.fetch.sleep_between_downloads_s or None,
        "ratelimit": settings.fetch.rate_limit_bytes_per_s,
        "cookiefile": str(settings.fetch.cookies_file) if settings.fetch.cookies_file else None,
    }
    return {k: v for k, v in opts.items() if v is not None}


def download(video: VideoRef, settings: Settings, workdir: Path) -> dict:
    import yt_dlp

    try:
        with yt_dlp.YoutubeDL(ydl_options(settings, workdir)) as ydl:
            info = ydl.extract_info(video.url, download=True)
            return ydl.sanitize_info(info) if info else {}
    except yt_dlp.utils.DownloadError as exc:
        message = str(exc).removeprefix("ERROR: ").strip()
        error = TransientError if TRANSIENT.search(message) else RuntimeError
        raise error(f"video {video.video_id} could not be downloaded from {video.url}: {message}") from None


def fetch_video(ctx: StageContext) -> Video:
    """Download into the stage's staging folder; the runner swaps the media in on success."""
    video, settings = ctx.video, ctx.settings
    info = download(video, settings, ctx.workdir)
    media = sorted(p for p in ctx.workdir.iterdir() if p.stem == MEDIA_STEM)
    if not media:
        raise RuntimeError(f"video {video.video_id}: yt-dlp reported success but wrote no media file")
    facts = verify_media(media[0])
    limit = settings.fetch.max_duration_s
    if limit and facts.duration_s > limit:
        raise ValueError(f"video {video.video_id} lasts {facts.duration_s:.0f} s, over fetch.max_duration_s={limit:.0f}")
    (ctx.workdir / YTDLP_INFO).write_text(json.dumps(info, indent=1, default=str))
    ctx.report(duration_s=facts.duration_s, bytes=media[0].stat().st_size)
    return Video(
        video_id=video.video_id,
        url=video.url,
        title=video.title or info.get("title") or video.video_id,
        description=video.description or info.get("description") or "",
        tags=info.get("tags") or [],
        chapters=[c.get("title", "") for c in info.get("chapters") or []],
        channel=info.get("channel") or info.get("uploader") or "",
        upload_date=info.get("upload_date") or "",
        duration_s=round(facts.duration_s, 3),
        license=info.get("license") or "",
        fetched_at=utc_now(),
        sha256=sha256_of(media[0]),
        file_name=media[0].name,
        width=facts.width,
        height=facts.height,
    )


OWNED = (f"{MEDIA_STEM}.*", YTDLP_INFO)
