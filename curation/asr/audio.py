"""A media file's audio as 16 kHz mono windows, decoded in one streaming pass.

An hour of audio is 230 MB as float32, and the recogniser's features and speech chunks of it
several times that; transcribing it window by window keeps memory bounded however long the
lecture. Each window ends in the quietest tenth of a second of the last `SEARCH_S` before its
nominal end (pauses between sentences), so a cut almost never splits a word. A file shorter than
one window is one window, the same samples as faster-whisper's own `decode_audio`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16000
SEARCH_S = 20.0
BLOCK = SAMPLE_RATE // 10


@dataclass(frozen=True)
class AudioWindow:
    offset_s: float  # where the window starts in the file
    samples: np.ndarray  # float32 in [-1, 1)


def quietest_cut(samples: np.ndarray, search_from: int) -> int:
    """The middle of the quietest `BLOCK` of `samples[search_from:]` (the first on ties)."""
    blocks = (len(samples) - search_from) // BLOCK
    if blocks < 1:
        return len(samples)
    region = samples[search_from : search_from + blocks * BLOCK].astype(np.int64).reshape(blocks, BLOCK)
    return search_from + int(np.argmin(np.square(region).sum(axis=1))) * BLOCK + BLOCK // 2


def _decoded_frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    """Audio frames, skipping the undecodable ones as faster-whisper's `decode_audio` does."""
    frames = container.decode(audio=0)
    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue


def _to_float(samples: np.ndarray) -> np.ndarray:
    return samples.astype(np.float32) / 32768.0


def audio_excerpt(source: str, start_s: float, seconds: float, options: dict[str, str] | None = None) -> np.ndarray | None:
    """`seconds` of a file's or URL's audio from `start_s` (fewer where it ends sooner), or None
    when it has no audio track. The seek goes by the index, so over HTTP only the range around
    `start_s` is read; the samples before `start_s` of the first decoded frame are dropped.
    `options` go to FFmpeg's demuxer and protocol."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    wanted = round(seconds * SAMPLE_RATE)
    pieces: list[np.ndarray] = []
    held, lead = 0, None
    with av.open(source, metadata_errors="ignore", options=options or {}) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        container.seek(int(start_s / stream.time_base), stream=stream, backward=True)
        for frame in _decoded_frames(container):
            if lead is None:
                lead = max(0, round((start_s - (frame.time or 0.0)) * SAMPLE_RATE))
            for out in resampler.resample(frame):
                pieces.append(out.to_ndarray().reshape(-1))
                held += pieces[-1].size
            if held >= lead + wanted:
                break
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    return _to_float(samples[lead or 0 : (lead or 0) + wanted])


def audio_windows(path: Path, window_s: float) -> Iterator[AudioWindow]:
    """Consecutive windows covering the whole audio track, each at most `window_s` long
    (the last one but for the resampler's final few samples)."""
    window = int(window_s * SAMPLE_RATE)
    search = min(int(SEARCH_S * SAMPLE_RATE), window // 2)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    pieces: list[np.ndarray] = []
    held = offset = 0
    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError(f"media file {path} has no audio track")
        for frame in _decoded_frames(container):
            for out in resampler.resample(frame):
                pieces.append(out.to_ndarray().reshape(-1))
                held += pieces[-1].size
            while held >= window:
                buffer = np.concatenate(pieces)
                cut = quietest_cut(buffer[:window], window - search)
                yield AudioWindow(offset / SAMPLE_RATE, _to_float(buffer[:cut]))
                pieces, held, offset = [buffer[cut:]], buffer.size - cut, offset + cut
        for out in resampler.resample(None):
            pieces.append(out.to_ndarray().reshape(-1))
            held += pieces[-1].size
    if held:
        yield AudioWindow(offset / SAMPLE_RATE, _to_float(np.concatenate(pieces)))


def speech_seconds(samples: np.ndarray) -> float:
    """Seconds of speech that voice activity detection (faster-whisper's Silero VAD, as the ASR
    decode uses) finds in 16 kHz mono samples."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return sum(span["end"] - span["start"] for span in get_speech_timestamps(samples, VadOptions())) / SAMPLE_RATE
