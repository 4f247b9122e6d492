"""One decoding pass over a video: small frames for analysis, full frames kept on demand.

The codec has to decode every frame anyway; we convert only the frames at the analysis rate,
and only to a small size. The full-resolution frame of each sample travels along as the
decoder's own (YUV) frame, so it costs nothing until a median image actually needs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from curation.media import open_video


@dataclass(frozen=True)
class Sample:
    index: int
    time: float
    small_bgr: np.ndarray  # analysis size, for the cut detector and stability
    full: av.VideoFrame  # decoder frame at full resolution

    def full_yuv(self) -> np.ndarray:
        """The full frame as planar YUV 4:2:0, luma rows on top of the two chroma planes."""
        frame = self.full
        width, height = frame.width - frame.width % 2, frame.height - frame.height % 2
        if frame.format.name != "yuv420p" or (width, height) != (frame.width, frame.height):
            frame = frame.reformat(width=width, height=height, format="yuv420p")
        return frame.to_ndarray(format="yuv420p")


def yuv_to_rgb(planes: np.ndarray, like: av.VideoFrame) -> np.ndarray:
    """Inverse of `Sample.full_yuv`, with the colour space of the decoded frame `like`."""
    frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    frame.colorspace, frame.color_range = like.colorspace, like.color_range
    return frame.to_ndarray(format="rgb24")


def analysis_size(width: int, height: int, analysis_width: int) -> tuple[int, int]:
    """Scale to `analysis_width` (never up), keeping the aspect; even height, as ffmpeg's -2."""
    small_w = min(analysis_width, width)
    small_h = max(2, round(height * small_w / width / 2) * 2)
    return small_w, small_h


def iter_samples(path: Path, fps: float, analysis_width: int) -> Iterator[Sample]:
    """The first decoded frame at or after each tick of a `fps` clock, in presentation order."""
    if fps <= 0:
        raise ValueError(f"analysis_fps must be positive, got {fps}")
    with open_video(path) as container:
        stream = container.streams.video[0]
        if stream.average_rate and stream.average_rate >= 3 * fps:
            # frames no other frame refers to (most B-frames) are not needed to keep the
            # analysis clock; skipping them saves about a third of the decoding
            stream.codec_context.skip_frame = "NONREF"
        reformatter = VideoReformatter()  # keeps its scaler between frames
        small_w, small_h = analysis_size(
            stream.codec_context.width, stream.codec_context.height, analysis_width
        )
        period = 1.0 / fps
        next_tick = 0.0
        index = 0
        try:
            for frame in container.decode(stream):
                if frame.time is None or frame.time + 1e-6 < next_tick:
                    continue
                small = reformatter.reformat(
                    frame, width=small_w, height=small_h, format="bgr24", interpolation="BILINEAR"
                ).to_ndarray()
                yield Sample(index, round(frame.time, 3), small, frame)
                index += 1
                # a video slower than the analysis clock yields each frame once
                next_tick = (int(frame.time * fps + 1e-6) + 1) * period
        except av.FFmpegError as exc:
            raise ValueError(f"video file {path} is corrupt at sample {index}: {exc}") from exc
        if index == 0:
            raise ValueError(f"video file {path} has no decodable frames")
