"""Triage before download: probe a candidate's media over HTTP range requests, cheaply.

ffmpeg seeks in the remote file (`-ss` before `-i` reads only around each point), so a few frames
and a short audio snippet cost a small share of the file. The frames go to the histology
classifier; the snippet is transcribed and must hold narration (enough words) that reads as
English (`curation.asr.language.why_not_english`). A video failing either is never downloaded.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yt_dlp
from PIL import Image

from curation.asr import get_transcriber
from curation.asr.language import why_not_english
from curation.config import Settings
from curation.ingest.discover_settings import TriageSettings
from curation.lexicon.lexicon import glossary_hotwords
from curation.vision.factory import get_classifier
from curation.vision.labelling import label_images
from curation.vision.protocol import HISTOLOGY


class ProbeError(Exception):
    """The remote media could not be read."""


@dataclass(frozen=True)
class TriageResult:
    reason: str | None  # None: worth downloading
    seconds: float  # spent probing
    media_bytes: int | None  # the whole file's size, when the server says: what a rejection saves


def media_urls(page_url: str, settings: TriageSettings) -> tuple[str, str, int | None]:
    """(video stream URL, audio stream URL, file size) of a video page; a direct media link
    is its own page."""
    with yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True, "format": settings.format}) as ydl:
        info = ydl.extract_info(page_url, download=False)
    formats = info.get("requested_formats") or [info]
    video = next((f for f in formats if f.get("vcodec") != "none"), formats[0])
    audio = next((f for f in formats if f.get("acodec") != "none"), formats[-1])
    sizes = [f.get("filesize") or f.get("filesize_approx") or content_length(f["url"]) for f in formats]
    return video["url"], audio["url"], sum(sizes) if all(sizes) else None


def content_length(url: str) -> int | None:
    """The size an HTTP server gives for a file (a HEAD request), or None."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30) as reply:
            return int(reply.headers["Content-Length"]) if reply.headers.get("Content-Length") else None
    except (OSError, ValueError):
        return None


def remote_duration(url: str) -> float:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", url],
        capture_output=True, text=True, check=True, timeout=60,
    )
    try:
        return float(json.loads(probe.stdout)["format"]["duration"])
    except (KeyError, ValueError):
        raise ProbeError(f"{url} gives no duration") from None


def frame_at(url: str, seconds: float, width: int) -> np.ndarray:
    png = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", url, "-frames:v", "1",
         "-vf", f"scale={width}:-2", "-f", "image2pipe", "-c:v", "png", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout
    if not png:
        raise ProbeError(f"{url} has no frame at {seconds:.1f} s")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def audio_snippet(url: str, start: float, seconds: float, target: Path) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{start:.3f}", "-t", f"{seconds:.3f}", "-i", url,
         "-vn", "-ac", "1", "-ar", "16000", str(target)],
        check=True, timeout=120,
    )
    return target


def frames_problem(video_url: str, duration: float, settings: Settings) -> str | None:
    t = settings.discover.triage
    times = [duration * (i + 0.5) / t.frames for i in range(t.frames)]
    images = [frame_at(video_url, s, t.frame_width) for s in times]
    verdicts = label_images(get_classifier(settings.vision), images, crop=settings.vision.crop_histology)
    histology = sum(v.classification.label == HISTOLOGY for v in verdicts)
    if histology < t.min_histology_frames:
        best = max(v.classification.histology_score for v in verdicts)
        return (f"triage: {histology} of {t.frames} sampled frames look like histology, "
                f"{t.min_histology_frames} needed (best score {best:.2f})")
    return None


def vocabulary(settings: Settings) -> str:
    """The hotwords the ASR stage gives, so the snippet is judged as the whole video will be."""
    return glossary_hotwords() if settings.asr.glossary_hotwords else ""


def narration_problem(audio_url: str, duration: float, settings: Settings) -> str | None:
    t = settings.discover.triage
    start = min(t.snippet_start_s, max(0.0, duration - t.snippet_s))
    with tempfile.TemporaryDirectory(prefix="triage-") as tmp:
        snippet = audio_snippet(audio_url, start, t.snippet_s, Path(tmp) / "snippet.wav")
        words = get_transcriber(settings.asr).transcribe(snippet, vocabulary(settings)).words
    if len(words) < t.min_words:
        return (f"triage: no narration: {len(words)} word(s) recognised in {t.snippet_s:.0f} s "
                f"from {start:.0f} s, {t.min_words} needed")
    reason = why_not_english(words)
    return f"triage: {reason}" if reason else None


def triage(page_url: str, settings: Settings) -> TriageResult:
    """Frames first: they are cheaper than a transcription and reject most non-lectures."""
    started = time.perf_counter()
    t = settings.discover.triage
    video_url, audio_url, size = media_urls(page_url, t)
    duration = remote_duration(video_url)
    reason = frames_problem(video_url, duration, settings) or narration_problem(audio_url, duration, settings)
    return TriageResult(reason, round(time.perf_counter() - started, 3), size)
