"""Triage before download: probe a candidate's media over HTTP range requests, cheaply.

PyAV opens the remote file in this process, with the HTTP headers yt-dlp would send, and seeks
by its index, so a few frames and a short audio snippet cost a small share of the file. The frames go to the histology classifier; the
snippet is transcribed and must hold narration (enough words) that reads as English
(`curation.asr.language.why_not_english`). A video failing either is never downloaded.

What makes it cheap (bench/triage.py measures it): one yt-dlp extraction gives the stream URLs,
the duration and the size; voice activity detection on the snippet rejects a video without speech
before anything else (music under histology slides costs almost nothing to curate, since the ASR
stage finds no speech at once, so its rejection must be cheaper still: fetching frames beside the
check doubled its time); one open container serves every frame, and PyAV in process instead of an
ffmpeg process per frame cut five frames from 0.65 s to 0.21 s and the snippet from 0.14 s to
0.03 s; frames are small (the classifier's time halves from 640 to 320 pixels wide, with the same
verdicts) and keyframes (one picture decoded instead of every frame from the keyframe before),
read in time order until one looks like histology; the classifier and the ASR model are the
process-wide ones the curation itself loads; and the snippet is transcribed only for a video
whose frames passed, since the transcription is most of the cost.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import av
import numpy as np
import yt_dlp

from curation.asr import get_transcriber
from curation.asr.audio import audio_excerpt, speech_seconds
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
class RemoteMedia:
    video_url: str
    audio_url: str
    duration_s: float | None  # as the site says, when it does
    formats: list[dict]  # what a download would fetch (one file, or a video and an audio stream)
    headers: dict[str, str] = field(default_factory=dict)  # what yt-dlp would send the site

    def ffmpeg_options(self) -> dict[str, str]:
        """FFmpeg's HTTP options for these streams, sending the site yt-dlp's headers."""
        sent = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
        return {**HTTP_OPTIONS, "headers": sent} if sent else HTTP_OPTIONS

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
    headers = video.get("http_headers") or info.get("http_headers") or {}
    return RemoteMedia(video["url"], audio["url"], info.get("duration"), formats, headers)


def content_length(url: str) -> int | None:
    """The size an HTTP server gives for a file (a HEAD request), or None."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30) as reply:
            return int(reply.headers["Content-Length"]) if reply.headers.get("Content-Length") else None
    except (OSError, ValueError):
        return None


# HTTP ranges of this size, not open-ended ones: a server sends an open range until the client
# hangs up, several MB past the frame that was wanted (on loopback, the whole file and more)
HTTP_OPTIONS = {"request_size": str(64 * 1024), "rw_timeout": str(60 * 10**6)}  # timeout in µs


def opened(url: str, options: dict[str, str]) -> av.container.InputContainer:
    try:
        return av.open(url, metadata_errors="ignore", options=options)
    except av.FFmpegError as exc:
        raise ProbeError(f"{url} cannot be read: {exc}") from exc


def remote_duration(url: str, options: dict[str, str]) -> float:
    with opened(url, options) as container:
        if not container.duration:
            raise ProbeError(f"{url} gives no duration")
        return container.duration / av.time_base


def sample_times(duration: float, count: int) -> list[float]:
    return [duration * (i + 0.5) / count for i in range(count)]


def sampled_frames(url: str, times: list[float], width: int, keyframe: bool,
                   options: dict[str, str] = HTTP_OPTIONS) -> Iterator[np.ndarray]:
    """The frame at each of `times`, in turn, `width` pixels wide; with `keyframe` the keyframe at
    or before it (decoding one picture instead of every frame from that keyframe on)."""
    with opened(url, options) as container:
        if not container.streams.video:
            raise ProbeError(f"{url} has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "NONE"  # each thread would hold a picture back, reading on for it
        for at in times:
            try:
                container.seek(int(at / stream.time_base), stream=stream, backward=True)
                frame = first_frame(container, stream, at, keyframe)
            except av.FFmpegError as exc:
                raise ProbeError(f"{url} cannot be read at {at:.1f} s: {exc}") from exc
            if frame is None:
                raise ProbeError(f"{url} has no frame at {at:.1f} s")
            height = max(2, round(frame.height * width / frame.width / 2) * 2)
            yield frame.to_ndarray(width=width, height=height, format="rgb24")


def first_frame(container: av.container.InputContainer, stream: av.video.stream.VideoStream, at: float,
                keyframe: bool) -> av.VideoFrame | None:
    """After a seek: the keyframe it landed on, drained from the decoder at once (which would
    otherwise wait for the packets after it, reading on through the file to the next keyframe),
    or the first frame at or after `at`."""
    for packet in container.demux(stream):
        if keyframe and not packet.is_keyframe:
            continue
        frames = stream.decode(packet) + (stream.decode(None) if keyframe else [])
        for frame in frames:
            if keyframe or (frame.time or 0.0) >= at:
                return frame
    return None


def snippet_samples(url: str, start: float, seconds: float, options: dict[str, str]) -> np.ndarray | None:
    try:
        return audio_excerpt(url, start, seconds, options)
    except av.FFmpegError as exc:
        raise ProbeError(f"{url} gives no audio from {start:.1f} s: {exc}") from exc


def frames_problem(media: RemoteMedia, duration: float, settings: Settings) -> str | None:
    """Frames in time order, stopping once enough look like histology: a lecture is kept after
    its first few, a rejection needs them all."""
    t = settings.discover.triage
    classifier = get_classifier(settings.vision)
    histology, best = 0, 0.0
    times = sample_times(duration, t.frames)
    for image in sampled_frames(media.video_url, times, t.frame_width, t.keyframes, media.ffmpeg_options()):
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


def speech_problem(snippet: np.ndarray | None, start: float, settings: TriageSettings) -> str | None:
    if snippet is None:
        return "triage: no narration: the media has no audio track"
    found = speech_seconds(snippet)
    if found < settings.min_speech_s:
        return (f"triage: no narration: {found:.1f} s of speech in {settings.snippet_s:.0f} s from {start:.0f} s, "
                f"{settings.min_speech_s:.0f} s needed")
    return None


def narration_problem(snippet: np.ndarray, start: float, settings: Settings) -> str | None:
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
    duration = media.duration_s or remote_duration(media.video_url, media.ffmpeg_options())
    lap("media")
    start = min(t.snippet_start_s, max(0.0, duration - t.snippet_s))
    snippet = snippet_samples(media.audio_url, start, t.snippet_s, media.ffmpeg_options())
    reason = speech_problem(snippet, start, t)
    lap("speech")
    if reason is None:
        reason = frames_problem(media, duration, settings)
        lap("frames")
    if reason is None:
        reason = narration_problem(snippet, start, settings)
        lap("narration")
    size = media.size_bytes(duration)
    return TriageResult(reason, round(time.perf_counter() - started, 3), size, round(duration, 3), steps)
