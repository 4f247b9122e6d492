"""Offline MED/ROI selection: medical-term density and deictic cues."""

from __future__ import annotations

import re

from curation.lexicon.lexicon import Lexicon
from curation.lexicon.terms import find_terms
from curation.lexicon.tokens import FUNCTION_WORDS, normalize_tokens

# Phrases a narrator uses while pointing at part of the image on screen.
_PLACE = r"(?:top|bottom|left|right|center|centre|middle|edge|periphery|corner)"
_DEICTIC = re.compile(
    r"\b(?:here|(?:over|right|up|down) there|you (?:can|could|will|may) (?:see|notice|appreciate)|"
    r"we (?:can )?see|see (?:here|how|these|this|that)|notice|note (?:the|how|these|this)|"
    rf"look (?:closely|carefully|here)|look at (?:this|these|that|those|the {_PLACE})|"
    r"(?:this|that|these|those) (?:area|region|field|spot|part|focus|zone|cell|cells|structure|"
    r"structures|one|ones)|arrows?|pointing|pointer|cursor|circled|outlined|highlighted|"
    rf"(?:at|on|in|towards?) the {_PLACE}|(?:upper|lower) (?:left|right|half|part))\b",
    re.IGNORECASE,
)


def is_roi_sentence(text: str) -> bool:
    return _DEICTIC.search(text) is not None


MIN_MED_DENSITY = 0.1  # medical terms per content word of a MED sentence


def is_med_sentence(text: str, lexicon: Lexicon, min_terms: int) -> bool:
    """Enough medical terms, and not drowned in other talk."""
    terms = medical_terms(text, lexicon)
    content = [t for t in normalize_tokens(text) if t not in FUNCTION_WORDS]
    return len(terms) >= min_terms and len(terms) >= MIN_MED_DENSITY * len(content)


def medical_terms(text: str, lexicon: Lexicon) -> list[str]:
    """Curated terms, then medical-dictionary words no English speller knows."""
    terms = find_terms(text, lexicon)
    covered = {w for t in terms for w in normalize_tokens(t)}
    extra = [
        w
        for w in dict.fromkeys(normalize_tokens(text))
        if w.isalpha()
        and len(w) > 3
        and w not in covered
        and w in lexicon.medical
        and w not in lexicon.english
    ]
    return terms + extra
