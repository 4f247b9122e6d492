"""Sounds mixed under the narration of the hard demo lectures, generated with numpy: a background
music bed, and mains hum with broadband noise. (Fast speech is the narrator's rate and low-bitrate
audio the encoder's setting, so they are not mixed in here.) `no_speech` keeps the sounds and drops
the voice they were levelled against.

Levels are in dB relative to the narration's RMS over its sentences, so a lecture's difficulty does
not depend on how loud espeak-ng speaks.
"""

from __future__ import annotations

import numpy as np

MUSIC_DB = -12.0  # a soft piano bed under the voice, as in an edited lecture video
HUM_DB = -20.0
NOISE_DB = -22.0  # white noise of a cheap microphone and a fan
HUM_HZ = 50.0  # European mains; its odd harmonics are the loud ones
HUM_HARMONICS = {1: 1.0, 2: 0.35, 3: 0.6, 5: 0.3}
# A minor, F major, C major, G major as arpeggios, one note every half second
CHORDS_HZ = ((220.0, 261.63, 329.63), (174.61, 220.0, 261.63), (261.63, 329.63, 392.0), (196.0, 246.94, 293.66))
NOTE_S = 0.5


def music_bed(n_samples: int, sample_rate: int) -> np.ndarray:
    """Arpeggiated chords of plucked tones (three harmonics, decaying), at unit RMS."""
    t = np.arange(int(NOTE_S * sample_rate)) / sample_rate
    envelope = np.exp(-t * 5.0) * np.minimum(t / 0.01, 1.0)
    notes = [note for chord in CHORDS_HZ for note in chord + chord[1:2]]
    bed = np.zeros(n_samples)
    for k, start in enumerate(range(0, n_samples, len(t))):
        frequency = notes[k % len(notes)]
        tone = sum(np.sin(2 * np.pi * frequency * h * t) / h**1.5 for h in (1, 2, 3)) * envelope
        bed[start: start + len(t)] = tone[: n_samples - start]
    return bed / np.sqrt(np.mean(bed**2))


def mains_hum(n_samples: int, sample_rate: int) -> np.ndarray:
    t = np.arange(n_samples) / sample_rate
    hum = sum(weight * np.sin(2 * np.pi * HUM_HZ * h * t) for h, weight in HUM_HARMONICS.items())
    return hum / np.sqrt(np.mean(hum**2))


def white_noise(n_samples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n_samples)


def _gain(db: float) -> float:
    return float(10 ** (db / 20))


def mix_conditions(speech: np.ndarray, speaking: np.ndarray, conditions: list[str], sample_rate: int,
                   seed: int) -> tuple[np.ndarray, dict[str, float]]:
    """The narration with the conditions' sounds under it, as int16, and each sound's level in dB.

    `speaking` marks the samples inside sentences; the narration's RMS is taken over those."""
    voice = speech.astype(np.float64)
    reference = np.sqrt(np.mean(voice[speaking] ** 2))
    n = len(voice)
    sounds: dict[str, tuple[float, np.ndarray]] = {}
    if "music" in conditions:
        sounds["music"] = (MUSIC_DB, music_bed(n, sample_rate))
    if "hum_noise" in conditions:
        sounds["hum"] = (HUM_DB, mains_hum(n, sample_rate))
        sounds["noise"] = (NOISE_DB, white_noise(n, seed))
    if "no_speech" in conditions:
        voice = np.zeros(n)
    for db, sound in sounds.values():
        voice += reference * _gain(db) * sound
    mixed = np.clip(np.rint(voice), -32768, 32767).astype(np.int16)
    return mixed, {name: db for name, (db, _) in sounds.items()}
