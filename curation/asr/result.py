from __future__ import annotations

from dataclasses import dataclass, field

from curation.records import Segment, Word


@dataclass
class TranscriptionResult:
    language: str
    duration_s: float
    segments: list[Segment] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)

    def add_segment(self, start: float, end: float, text: str, words: list[tuple[float, float, str, float]]) -> None:
        self.segments.append(Segment(start=round(start, 3), end=round(end, 3), text=text.strip()))
        self.words.extend(
            Word(start=round(s, 3), end=round(e, 3), text=t.strip(), probability=round(p, 4))
            for s, e, t, p in words
            if t.strip()
        )
