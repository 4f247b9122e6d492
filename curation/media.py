"""Facts about a media file (PyAV, in process), and whether a downloaded file is fit to curate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

# how much of each stream's end must demux, and how far short of its header length it may stop
TAIL_S = 1.0


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    width: int
    height: int
    fps: float
    has_audio: bool


def open_video(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise ValueError(f"video file {path} does not exist")
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise ValueError(f"video file {path} cannot be opened: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise ValueError(f"video file {path} has no video stream")
    return container


def _stream_duration(stream: av.stream.Stream) -> float:
    return float(stream.duration * stream.time_base) if stream.duration else 0.0


def _container_duration(container: av.container.InputContainer) -> float:
    return (container.duration or 0) / av.time_base


def _info(container: av.container.InputContainer) -> MediaInfo:
    video = container.streams.video[0]
    rate = video.average_rate or video.guessed_rate
    return MediaInfo(
        duration_s=_container_duration(container) or _stream_duration(video),
        width=video.codec_context.width,
        height=video.codec_context.height,
        fps=float(rate) if rate else 0.0,
        has_audio=bool(container.streams.audio),
    )


def probe(path: Path) -> MediaInfo:
    """What the file's header says: duration, frame size, frame rate, whether it has sound."""
    with open_video(path) as container:
        return _info(container)


def _end_reached(
    container: av.container.InputContainer, stream: av.stream.Stream, length: float
) -> float:
    """How far `stream` demuxes, from a seek to `TAIL_S` before `length` (seconds); 0.0 when no
    frame decodes there.

    Seeking goes by the index, which a file with its index at the front keeps when it is cut
    short; the packets past the cut are then missing. Frames are decoded only until the first
    one comes out (the decoder may hold back a few to reorder them, up to the final flush).
    """
    container.seek(int(max(length - TAIL_S, 0.0) / stream.time_base), stream=stream, backward=True)
    reached, decoded = 0.0, False
    try:
        for packet in container.demux(stream):
            if not decoded:
                decoded = bool(packet.decode())  # the last packet, empty, flushes the decoder
            if packet.pts is not None:
                end = packet.pts + packet.duration
                reached = max(reached, float(end * stream.time_base))
    except av.FFmpegError:
        pass  # cut in the middle of a packet: `reached` is where the whole packets end
    return reached if decoded else 0.0


def verify_media(path: Path) -> MediaInfo:
    """The file's facts, once it is shown fit to curate: a readable video stream, an audio track
    to transcribe, a duration, and both streams decoding to the end their header gives.

    Reads about a second at the end of each stream, whatever the file's length.
    Raises ValueError naming the file and the problem.
    """
    with open_video(path) as container:
        info = _info(container)
        if not info.has_audio:
            raise ValueError(
                f"video file {path} has no audio track: there is no narration to transcribe"
            )
        if info.duration_s <= 0:
            raise ValueError(f"video file {path} gives no duration (zero or missing in its header)")
        for stream in (container.streams.video[0], container.streams.audio[0]):
            length = _stream_duration(stream) or info.duration_s
            reached = _end_reached(container, stream, length)
            if reached < length - TAIL_S:
                where = f"decodes only to {reached:.1f} s" if reached else "has no frame at its end"
                raise ValueError(
                    f"video file {path} is truncated: its {stream.type} stream {where} "
                    f"of the {length:.1f} s its header gives"
                )
    return info
