"""Muxing pictures and narration into an H.264 + AAC MP4 with ffmpeg.

Frames go to ffmpeg already as yuv420p (BT.601, limited range, as ffmpeg itself converts RGB),
so a still slide is converted once and its bytes repeated: the encoder does the only per-frame work.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image

# BT.601: full-range RGB to luma and the two colour differences
_RGB_TO_YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]],
                       dtype=np.float32)


def yuv_planes(image: Image.Image) -> list[np.ndarray]:
    """Y, U and V planes (yuv420p, limited range) of an RGB picture with even width and height."""
    ycc = np.asarray(image.convert("RGB"), dtype=np.float32) @ _RGB_TO_YCC.T
    luma = 16 + ycc[..., 0] * (219 / 255)
    chroma = ycc[..., 1:]
    colour = (chroma[0::2, 0::2] + chroma[1::2, 0::2] + chroma[0::2, 1::2] + chroma[1::2, 1::2]) * (224 / 255 / 4)
    planes = [luma, 128 + colour[..., 0], 128 + colour[..., 1]]
    return [np.clip(np.rint(p), 0, 255).astype(np.uint8) for p in planes]


def yuv420(image: Image.Image) -> bytes:
    """Planar yuv420p bytes of an RGB picture with even width and height."""
    return b"".join(p.tobytes() for p in yuv_planes(image))


def yuv420_patched(planes: list[np.ndarray], patch: Image.Image, corner: tuple[int, int]) -> bytes:
    """yuv420p bytes of the picture of `planes` with `patch` pasted at an even `corner`."""
    x, y = corner
    if x % 2 or y % 2:
        raise ValueError(f"a yuv420p patch needs an even corner, got {corner}")
    frame = [p.copy() for p in planes]
    for plane, part, scale in zip(frame, yuv_planes(patch), (1, 2, 2)):
        plane[y // scale: y // scale + part.shape[0], x // scale: x // scale + part.shape[1]] = part
    return b"".join(p.tobytes() for p in frame)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.astype(np.int16).tobytes())


def encode_mp4(out_path: Path, frames: Iterable[bytes], size: tuple[int, int], fps: int,
               audio: np.ndarray, sample_rate: int, audio_kbps: int = 64) -> None:
    """Write `out_path` from yuv420p frames and mono int16 audio (H.264 yuv420p, AAC, faststart)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is not installed; the demo lectures need it (apt-get install ffmpeg)")
    with tempfile.TemporaryDirectory(prefix="demo-audio-") as folder:
        wav_path = Path(folder) / "narration.wav"
        write_wav(wav_path, audio, sample_rate)
        command = [
            ffmpeg, "-y", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "pipe:0",
            "-i", str(wav_path),
            "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "20", "-pix_fmt", "yuv420p",
            "-color_range", "tv", "-colorspace", "smpte170m",
            "-color_primaries", "smpte170m", "-color_trc", "smpte170m",
            "-c:a", "aac", "-b:a", f"{audio_kbps}k",
            "-movflags", "+faststart", "-f", "mp4", str(out_path),
        ]
        log_path = Path(folder) / "ffmpeg.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=log)
            try:
                for frame in frames:
                    process.stdin.write(frame)
            except BrokenPipeError:
                pass  # ffmpeg stopped early; its exit code and log say why
            finally:
                process.stdin.close()
            returncode = process.wait()
        if returncode != 0:
            error = log_path.read_text(errors="replace").strip()[-800:]
            raise RuntimeError(f"ffmpeg could not encode {out_path}: {error}")
