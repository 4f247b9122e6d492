"""Triage before download: probe a candidate's media over HTTP range requests, cheaply.

ffmpeg seeks in the remote file (`-ss` before `-i` reads only around each point), so a few frames
and a short audio snippet cost a small share of the file. The frames go to the histology
classifier; the snippet is transcribed and must hold narration (enough words) that reads as
English (`curation.asr.language.why_not_english`). A video failing either is never downloaded.

What makes it cheap (bench/triage.py measures it): one yt-dlp extraction gives the stream URLs,
the duration and the size; voice activity detection on the snippet rejects a video without speech
before anything else (music under histology slides costs almost nothing to curate, since the ASR
stage finds no speech at once, so its rejection must be cheaper still: fetching frames beside the
check doubled its time); frames are small (the classifier's time halves from 640 to 320 pixels
wide, with the same verdicts), keyframes (an exact seek decodes every frame from the keyframe
before it: 0.2 s a frame, against 0.1 s), fetched `frames_at_once` at a time until one looks like
histology; the classifier and the ASR model are the process-wide ones the curation itself loads;
and the snippet is transcribed only for a video whose frames passed, since the transcription is
most of the cost. Its floor is one pass of tiny.en's encoder over a 30 s window, about 0.5 s on one
core: decoding the snippet as two halves side by side cost more, an encoder pass each.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yt_dlp
from PIL import Image

from curation.asr import get_transcriber
from curation.asr.audio import SAMPLE_RATE, speech_seconds
from curation.asr.language import why_not_english
from curation.config import Settings
from curation.ingest.discover_settings import TriageSettings
from curation.lexicon.lexicon import glossary_hotwords
from curation.parallel import ordered_map
from curation.vision.factory import get_classifier
from curation.vision.labelling import label_images
from curation.vision.protocol import HISTOLOGY

NO_STREAM = "does not contain any stream"  # ffmpeg, when the input has no stream of the kind mapped


class ProbeError(Exception):
    """The remote media could not be read."""


@dataclass(frozen=True)
class RemoteMedia:
    video_url: str
    audio_url: str
    duration_s: float | None  # as the site says, when it does
    formats: list[dict]  # what a download would fetch (one file, or a video and an audio stream)

    def size_bytes(self, duration_s: float) -> int | None:
        sizes = [format_bytes(f, duration_s) for f in self.formats]
        return sum(sizes) if all(sizes) else None


@dataclass(frozen=True)
class TriageResult:
    reason: str | None  # None: worth downloading
    seconds: float  # spent probing
    media_bytes: int | None  # the whole download's size, when known: what a rejection saves
    duration_s: float | None = None  # the video's length, probed
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step (media, frames, narration)


def format_bytes(fmt: dict, duration_s: float | None) -> int | None:
    """A format's size: as the site gives it, else its total bitrate (kbit/s) times the duration,
    else what the HTTP server says."""
    if fmt.get("filesize") or fmt.get("filesize_approx"):
        return int(fmt.get("filesize") or fmt["filesize_approx"])
    if fmt.get("tbr") and duration_s:
        return int(fmt["tbr"] * 1000 / 8 * duration_s)
    return content_length(fmt.get("url", ""))


def remote_media(page_url: str, settings: TriageSettings) -> RemoteMedia:
    """The stream URLs, duration and size of a video page; a direct media link is its own page."""
    with yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True, "format": settings.format}) as ydl:
        info = ydl.extract_info(page_url, download=False)
    formats = info.get("requested_formats") or [info]
    video = next((f for f in formats if f.get("vcodec") != "none"), formats[0])
    audio = next((f for f in formats if f.get("acodec") != "none"), formats[-1])
    return RemoteMedia(video["url"], audio["url"], info.get("duration"), formats)


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


def sample_times(duration: float, count: int) -> list[float]:
    return [duration * (i + 0.5) / count for i in range(count)]


def frame_at(url: str, seconds: float, width: int, keyframe: bool) -> np.ndarray:
    """The frame at `seconds`, or with `keyframe` the nearest keyframe (decoding one picture
    instead of every frame from the keyframe before on), or the exact frame when no keyframe
    follows `seconds`, where skipping the others leaves ffmpeg nothing to show."""
    png = frame_png(url, seconds, width, keyframe) if keyframe else b""
    png = png or frame_png(url, seconds, width, keyframe=False)
    if not png:
        raise ProbeError(f"{url} has no frame at {seconds:.1f} s")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def frame_png(url: str, seconds: float, width: int, keyframe: bool) -> bytes:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-threads", "1", *(["-skip_frame", "nokey"] if keyframe else []),
         "-ss", f"{seconds:.3f}", "-i", url, "-an", "-frames:v", "1",
         "-vf", f"scale={width}:-2", "-f", "image2pipe", "-c:v", "png", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout


def audio_snippet(url: str, start: float, seconds: float, target: Path) -> Path | None:
    """The snippet as a 16 kHz mono WAV, or None when the media has no audio track."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{start:.3f}", "-t", f"{seconds:.3f}", "-i", url,
         "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(target)],
        check=False, capture_output=True, text=True, timeout=120,
    )
    if done.returncode and NO_STREAM in done.stderr:
        return None
    done.check_returncode()
    return target


def frames_problem(video_url: str, duration: float, settings: Settings) -> str | None:
    """Frames in time order, `frames_at_once` fetched together, stopping once enough look like
    histology: a lecture is kept after its first few, a rejection needs them all."""
    t = settings.discover.triage
    classifier = get_classifier(settings.vision)
    histology, best = 0, 0.0
    fetched = ordered_map(lambda at: frame_at(video_url, at, t.frame_width, t.keyframes),
                          sample_times(duration, t.frames), t.frames_at_once)
    for _, image in fetched:  # at least one: `frames` >= 1
        (verdict,) = label_images(classifier, [image], crop=settings.vision.crop_histology)
        histology += verdict.classification.label == HISTOLOGY
        best = max(best, verdict.classification.histology_score)
        if histology >= t.min_histology_frames:
            return None
    return (f"triage: {histology} of {t.frames} sampled frames look like histology, "
            f"{t.min_histology_frames} needed (best score {best:.2f})")


def vocabulary(settings: Settings) -> str:
    """The hotwords the ASR stage gives, so the snippet is judged as the whole video will be."""
    return glossary_hotwords() if settings.asr.glossary_hotwords else ""


SNIPPET_TOKENS_PER_S = 6


def speech_problem(snippet: Path | None, start: float, settings: TriageSettings) -> str | None:
    if snippet is None:
        return "triage: no narration: the media has no audio track"
    from faster_whisper.audio import decode_audio

    found = speech_seconds(decode_audio(str(snippet), sampling_rate=SAMPLE_RATE))
    if found < settings.min_speech_s:
        return (f"triage: no narration: {found:.1f} s of speech in {settings.snippet_s:.0f} s from {start:.0f} s, "
                f"{settings.min_speech_s:.0f} s needed")
    return None


def narration_problem(snippet: Path, start: float, settings: Settings) -> str | None:
    t = settings.discover.triage
    # English narration decodes to about 3-4 tokens a second; a language tiny.en does not know
    # decodes into long loops, which the cap cuts short without changing the verdict
    cap = round(SNIPPET_TOKENS_PER_S * t.snippet_s)
    words = get_transcriber(settings.asr).transcribe(snippet, vocabulary(settings), max_tokens=cap).words
    if len(words) < t.min_words:
        return (f"triage: no narration: {len(words)} word(s) recognised in {t.snippet_s:.0f} s "
                f"from {start:.0f} s, {t.min_words} needed")
    reason = why_not_english(words)
    return f"triage: {reason}" if reason else None


def triage(page_url: str, settings: Settings) -> TriageResult:
    """Cheapest check first: speech in the snippet (a fraction of a second), then the frames,
    then the snippet's transcription, which costs most."""
    t = settings.discover.triage
    steps: dict[str, float] = {}
    started = last = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps[step], last = round(now - last, 3), now

    media = remote_media(page_url, t)
    duration = media.duration_s or remote_duration(media.video_url)
    lap("media")
    start = min(t.snippet_start_s, max(0.0, duration - t.snippet_s))
    with tempfile.TemporaryDirectory(prefix="triage-") as tmp:
        snippet = audio_snippet(media.audio_url, start, t.snippet_s, Path(tmp) / "snippet.wav")
        reason = speech_problem(snippet, start, t)
        lap("speech")
        if reason is None:
            reason = frames_problem(media.video_url, duration, settings)
            lap("frames")
        if reason is None:
            reason = narration_problem(snippet, start, settings)
            lap("narration")
    size = media.size_bytes(duration)
    return TriageResult(reason, round(time.perf_counter() - started, 3), size, round(duration, 3), steps)
