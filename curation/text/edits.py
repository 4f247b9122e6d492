"""Apply accepted corrections to a sentence's text."""

from __future__ import annotations

import re


def span_pattern(wrong: str) -> re.Pattern[str]:
    """`wrong` as whole words, any case, any run of spaces between its words."""
    words = [re.escape(w) for w in wrong.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def occurs(wrong: str, text: str) -> bool:
    return bool(wrong.strip()) and span_pattern(wrong).search(text) is not None


_OPENING = re.compile(r"^[\s\"'(\[]*$")


def _cased(right: str, match: re.Match[str]) -> str:
    """Capitalised where it opens the sentence; elsewhere as the term is written, whatever case
    the misheard words had ("the Mac ground" -> "the background")."""
    opens = _OPENING.match(match.string[: match.start()]) is not None
    if opens and match.group()[:1].isupper() and right[:1].islower():
        return right[0].upper() + right[1:]
    return right


def apply_corrections(text: str, corrections: list[tuple[str, str]]) -> str:
    """Replace each wrong span by its right side; longer spans first, so they win overlaps."""
    for wrong, right in sorted(corrections, key=lambda c: len(c[0]), reverse=True):
        text = span_pattern(wrong).sub(lambda m, r=right: _cased(r, m), text)
    return text
