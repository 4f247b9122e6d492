"""Reading the demo MP4s back with ffmpeg/ffprobe, as a consumer would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np


def probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def frame_at(path: Path, time_s: float, size: tuple[int, int] = (1280, 720)) -> np.ndarray:
    """The first decoded RGB frame starting at or after `time_s`, as int16 so differences do not wrap."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{time_s:.4f}", "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(size[1], size[0], 3).astype(np.int16)


def audio_samples(path: Path, sample_rate: int) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float64)


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())


def top_level_boxes(path: Path) -> list[str]:
    """Types of the top-level MP4 boxes in file order (ftyp, moov, mdat, ...)."""
    boxes = []
    with path.open("rb") as handle:
        while header := handle.read(8):
            size, kind = int.from_bytes(header[:4], "big"), header[4:].decode("latin-1")
            if size == 1:  # 64-bit size follows the type
                size = int.from_bytes(handle.read(8), "big") - 8
            boxes.append(kind)
            handle.seek(size - 8, 1)
    return boxes
