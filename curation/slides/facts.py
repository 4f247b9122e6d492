"""Facts written on a slide: the stains named on it and the magnification."""

from __future__ import annotations

import re

from curation.lexicon.lexicon import Lexicon
from curation.lexicon.terms import find_terms

# stains.txt also lists staining vocabulary; these of its names are no stain
NOT_STAINS = frozenset({
    "eosinophilic", "basophilic", "amphophilic", "diastase", "apple-green birefringence",
    "immunohistochemical", "chromogen", "counterstain", "frozen section", "permanent section",
    "formalin-fixed paraffin-embedded", "formalin", "paraffin", "decalcification", "whole slide image",
})
# objective powers and total magnifications (objective times a 10x eyepiece) seen on slides
POWERS = frozenset({"1.25", "2", "2.5", "4", "5", "10", "20", "25", "40", "50", "60", "63", "100",
                    "200", "250", "400", "500", "600", "630", "1000"})
TIMES = r"[x×X]"
NUMBER = r"(\d{1,4}(?:[.,]\d{1,2})?)"
MAGNIFICATION = re.compile(
    rf"(?<![\w.,]){TIMES}\s?{NUMBER}(?!\w)"  # x40, × 400
    rf"|(?<![\w.,]){NUMBER}\s?{TIMES}(?![\w])"  # 40x, 400 X, 40X objective
    r"|\b(HPF|high[- ]power(?: field)?)\b",
    re.IGNORECASE,
)


def find_stains(text: str, lexicon: Lexicon) -> list[str]:
    """Canonical names of the stains named in `text`, in order ("Masson trichrome", "PAS")."""
    stains = {t.name for t in lexicon.terms if t.category == "stains" and t.name not in NOT_STAINS}
    return [name for name in find_terms(text, lexicon) if name in stains]


def find_magnification(text: str) -> str | None:
    """The first magnification written in `text`, as "x40" (or "HPF" for a high-power field)."""
    for match in MAGNIFICATION.finditer(text):
        number = (match.group(1) or match.group(2) or "").replace(",", ".")
        if match.group(3):
            return "HPF"
        if number in POWERS:
            return f"x{number}"
    return None
