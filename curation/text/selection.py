"""Offline MED/ROI selection: medical-term density and deictic cues."""

from __future__ import annotations

import re

from curation.text.lexicon import Lexicon
from curation.text.terms import find_terms
from curation.text.tokens import normalize_tokens

# Phrases a narrator uses while pointing at part of the image on screen.
_DEICTIC = re.compile(
    r"\b(?:here|there|you (?:can|could|will|may) (?:see|notice|appreciate)|we (?:can )?see|"
    r"see (?:here|how|these|this|that|the)|notice|note (?:the|how|these|this)|look (?:at|closely)|"
    r"(?:this|that|these|those) (?:area|region|field|spot|part|focus|zone|cell|cells|structure|"
    r"structures|one|ones)|arrows?|pointing|pointer|cursor|circled|outlined|highlighted|"
    r"(?:at|on|in|towards?) the (?:top|bottom|left|right|center|centre|middle|edge|periphery|corner)|"
    r"upper|lower (?:left|right|half|part)|in the middle)\b",
    re.IGNORECASE,
)


def is_roi_sentence(text: str) -> bool:
    return _DEICTIC.search(text) is not None


def medical_terms(text: str, lexicon: Lexicon) -> list[str]:
    """Curated terms, then medical-dictionary words no English speller knows."""
    terms = find_terms(text, lexicon)
    covered = {w for t in terms for w in normalize_tokens(t)}
    extra = [
        w for w in dict.fromkeys(normalize_tokens(text))
        if w.isalpha() and len(w) > 3 and w not in covered and w in lexicon.medical and w not in lexicon.english
    ]
    return terms + extra
