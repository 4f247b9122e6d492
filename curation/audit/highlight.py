"""A caption cut into its words, each marked as a medical term, a word the text stage was unsure of,
or plain, for display; a word's position is its index in `caption.split()`, as review labels store it."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

WordKind = Literal["", "term", "uncertain"]


class CaptionWord(BaseModel):
    """One word of `caption.split()`, as lead + core + trail (punctuation around it), and the
    whitespace after it, so the words join back into the caption; a mark covers the core only."""

    lead: str = ""
    core: str
    trail: str = ""
    space: str = ""
    kind: WordKind = ""

    @property
    def word(self) -> str:
        return self.lead + self.core + self.trail


def split_word(token: str) -> tuple[str, str, str]:
    """A token without whitespace as (lead, core, trail): the punctuation around its core."""
    lead = re.match(r"\W*", token).group()
    trail = re.search(r"\W*$", token[len(lead):]).group()
    core = token[len(lead):len(token) - len(trail)]
    return ("", token, "") if not core else (lead, core, trail)


def term_spans(caption: str, terms: list[str]) -> list[tuple[int, int]]:
    if not terms:
        return []
    alternatives = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
    return [m.span() for m in re.finditer(rf"(?i)(?<!\w)({alternatives})(?!\w)", caption)]


def caption_words(caption: str, terms: list[str], uncertain: list[str] = ()) -> list[CaptionWord]:
    """Every word of the caption in order; an unsure word is marked so even inside a term."""
    spans = term_spans(caption, terms)
    doubtful = {split_word(w.strip())[1].lower() for w in uncertain if w.strip()}
    words = []
    for match in re.finditer(r"(\S+)(\s*)", caption.strip()):
        start, end = match.span(1)
        lead, core, trail = split_word(match.group(1))
        space = match.group(2)
        if core.lower() in doubtful:
            kind = "uncertain"
        elif any(a < end and start < b for a, b in spans):
            kind = "term"
        else:
            kind = ""
        words.append(CaptionWord(lead=lead, core=core, trail=trail, space=space, kind=kind))
    return words
