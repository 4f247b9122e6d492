"""How close two spellings are, in letters and in sound."""

from __future__ import annotations

from dataclasses import dataclass

import jellyfish
from rapidfuzz.distance import Levenshtein

from curation.lexicon.tokens import normalize_tokens


def letters(text: str) -> str:
    """The text's letters and digits only, so "pseudo-stratified" == "pseudostratified"."""
    return "".join(normalize_tokens(text))


def sound_code(text: str) -> str:
    alpha = "".join(ch for ch in letters(text) if ch.isalpha())
    return jellyfish.metaphone(alpha) if alpha else ""


def hard_ch_sound_code(text: str) -> str:
    """The sound with every "ch" said as k, as in the Greek roots of medicine ("chondro-",
    "chromatin", "Ki-67" heard as "chi 67"), which Metaphone says as in "church"."""
    return sound_code(letters(text).replace("ch", "k"))


def _sound_similarity(a: str, b: str) -> float:
    plain = Levenshtein.normalized_similarity(sound_code(a), sound_code(b))
    if "ch" not in letters(a) + letters(b):
        return plain
    return max(plain, Levenshtein.normalized_similarity(hard_ch_sound_code(a), hard_ch_sound_code(b)))


@dataclass(frozen=True)
class Closeness:
    spelling: float  # 1 - normalised edit distance of the letters
    sound: float  # 1 - normalised edit distance of the Metaphone codes ("ch" as in church or as k)

    @property
    def score(self) -> float:
        return (self.spelling + self.sound) / 2


def closeness(a: str, b: str) -> Closeness:
    return Closeness(
        spelling=Levenshtein.normalized_similarity(letters(a), letters(b)),
        sound=_sound_similarity(a, b),
    )
