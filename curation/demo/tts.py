"""Spoken sentences from espeak-ng, trimmed to the speech so their length is the sentence's duration."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22050  # espeak-ng's native rate
VOICE = "en-us"
WORDS_PER_MINUTE = 150
SILENCE_LEVEL = 200  # int16 amplitude below which a sample counts as silence
EDGE_S = 0.01  # keep this much of the fade-in and fade-out around the speech


def espeak_binary() -> str:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed; the demo lectures need it (apt-get install espeak-ng)")
    return binary


def speak(text: str, words_per_minute: int = WORDS_PER_MINUTE, voice: str = VOICE) -> np.ndarray:
    """Mono int16 samples at SAMPLE_RATE of `text`, without leading or trailing silence."""
    with tempfile.TemporaryDirectory(prefix="espeak-") as folder:
        wav_path = Path(folder) / "sentence.wav"
        subprocess.run(
            [espeak_binary(), "-v", voice, "-s", str(words_per_minute), "-w", str(wav_path), "--", text],
            check=True, capture_output=True,
        )
        with wave.open(str(wav_path)) as wav:
            if wav.getframerate() != SAMPLE_RATE or wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                raise RuntimeError(f"espeak-ng wrote an unexpected wav format for {text!r}")
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > SILENCE_LEVEL)
    if loud.size == 0:
        raise RuntimeError(f"espeak-ng produced silence for {text!r}")
    edge = int(EDGE_S * SAMPLE_RATE)
    return samples[max(loud[0] - edge, 0): loud[-1] + edge + 1].copy()


def speak_all(texts: list[str], words_per_minute: int = WORDS_PER_MINUTE, workers: int = 2,
              voice: str = VOICE) -> list[np.ndarray]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda text: speak(text, words_per_minute, voice), texts))
