"""Medical terms marked inside a caption, for display."""

from __future__ import annotations

import re


def caption_segments(caption: str, terms: list[str]) -> list[tuple[str, bool]]:
    """The caption cut into (text, is a medical term) pieces."""
    if not terms:
        return [(caption, False)]
    alternatives = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
    pieces = re.split(rf"(?i)(?<!\w)({alternatives})(?!\w)", caption)
    return [(piece, i % 2 == 1) for i, piece in enumerate(pieces) if piece]
