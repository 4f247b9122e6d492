"""Speech the decoder skipped: stretches without words where voice activity detection hears speech.

Whisper sometimes ends a 30 s window early: the decode stops on a word ("... frequent mitosis,
around") and the window's last seconds are never decoded, so a whole sentence is lost although
the audio is clean (lecture-03 of the demo, 53.6-59.0 s). Decoded again on its own, the stretch
gives the sentence back. Pauses between slides have no speech, so checking a gap costs one voice
activity pass over a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curation.asr.audio import SAMPLE_RATE, speech_seconds

# less speech than this in a gap is a breath or a click, not a lost sentence
MIN_GAP_SPEECH_S = 1.0


@dataclass(frozen=True)
class DecodedSegment:
    """A segment in seconds from the start of the audio it was decoded from."""

    start: float
    end: float
    text: str
    words: list[tuple[float, float, str, float]]  # start, end, text, probability

    def shifted(self, by_s: float) -> DecodedSegment:
        return DecodedSegment(self.start + by_s, self.end + by_s, self.text,
                              [(s + by_s, e + by_s, t, p) for s, e, t, p in self.words])


def wordless_stretches(segments: list[DecodedSegment], duration_s: float, min_gap_s: float) -> list[tuple[float, float]]:
    """(start, end) of every stretch of at least `min_gap_s` without a word, the audio's head
    and tail included."""
    edges = [0.0] + [t for seg in segments for s, e, _, _ in seg.words for t in (s, e)] + [duration_s]
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2) if edges[i + 1] - edges[i] >= min_gap_s]


def with_gaps_filled(samples: np.ndarray, segments: list[DecodedSegment], min_gap_s: float, decode) -> list[DecodedSegment]:
    """`segments` with what `decode(samples)` gives for each wordless stretch that holds speech,
    in time order."""
    found = []
    for start, end in wordless_stretches(segments, len(samples) / SAMPLE_RATE, min_gap_s):
        stretch = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        if speech_seconds(stretch) >= MIN_GAP_SPEECH_S:
            found += [seg.shifted(start) for seg in decode(stretch)]
    return sorted(segments + found, key=lambda seg: seg.start) if found else segments
