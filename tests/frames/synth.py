"""Tiny lecture-like videos synthesised with numpy and encoded by the real ffmpeg."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from skimage import data

WIDTH, HEIGHT, FPS = 640, 360, 15


def tissue(x: int, y: int, size: int) -> np.ndarray:
    """An RGB crop of scikit-image's IHC section, scaled to the frame."""
    crop = data.immunohistochemistry()[y : y + size, x : x + size]
    return cv2.resize(crop, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)


def text_slide(title: str) -> np.ndarray:
    img = np.full((HEIGHT, WIDTH, 3), 250, np.uint8)
    cv2.putText(img, title, (40, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 90), 2)
    for k in range(4):
        cv2.putText(
            img,
            f"- point {k}: {title[:12]}",
            (60, 150 + 45 * k),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.8,
            (30, 30, 30),
            2,
        )
    return img


def cursor_path(t: float) -> tuple[int, int]:
    return int(120 + 90 * t), int(90 + 35 * t)


def with_cursor(img: np.ndarray, t: float) -> np.ndarray:
    x, y = cursor_path(t)
    arrow = np.array([[x, y], [x, y + 22], [x + 6, y + 17], [x + 15, y + 16]])
    out = img.copy()
    cv2.fillConvexPoly(out, arrow, (255, 255, 255))
    cv2.polylines(out, [arrow], True, (0, 0, 0), 1)
    return out


@dataclass(frozen=True)
class Shot:
    duration: float
    render: Callable[[float], np.ndarray]  # seconds since the shot began -> RGB frame
    crossfade_in: float = 0.0


def still(img: np.ndarray, duration: float, crossfade_in: float = 0.0) -> Shot:
    return Shot(duration, lambda t: img, crossfade_in)


def write_video(path: Path, shots: list[Shot], fps: int = FPS) -> list[tuple[float, float]]:
    """Encode the shots to H.264; returns each shot's (start, end) on the video timeline."""
    proc = subprocess.Popen(
        [
            "ffmpeg",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{WIDTH}x{HEIGHT}",
            "-r",
            str(fps),
            "-i",
            "-",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        stdin=subprocess.PIPE,
    )
    bounds, start, previous = [], 0.0, None
    for shot in shots:
        for i in range(round(shot.duration * fps)):
            t = i / fps
            frame = shot.render(t)
            if previous is not None and t < shot.crossfade_in:
                alpha = t / shot.crossfade_in
                frame = (alpha * frame + (1 - alpha) * previous.render(previous.duration)).astype(
                    np.uint8
                )
            proc.stdin.write(np.ascontiguousarray(frame).tobytes())
        bounds.append((start, start + shot.duration))
        start += shot.duration
        previous = shot
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("ffmpeg failed to encode the test video")
    return bounds
