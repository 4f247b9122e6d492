"""A term heard right but written otherwise ("reed Sternberg cell", "ki 67") is written as the
term list writes it ("Reed-Sternberg cell", "Ki-67"): the same words in other case or hyphens
("Hodgkin's lymphoma" stays as said), so that captions name an entity one way. Only names with a
capital or a hyphen are respelled; a lower-case term keeps the case its sentence gave it
("Melanoma is...").
"""

from __future__ import annotations

from curation.lexicon.lexicon import Lexicon
from curation.lexicon.terms import longest_terms
from curation.lexicon.tokens import normalize_tokens, word_core
from curation.text.sentences import SpokenWord


def _written_specially(text: str) -> bool:
    return text != text.lower() or "-" in text


def _same_but_case_and_hyphens(a: str, b: str) -> bool:
    return a.lower().replace("-", " ") == b.lower().replace("-", " ")


def respellings(words: list[SpokenWord], lexicon: Lexicon) -> list[tuple[str, str]]:
    """(as heard, as the term is written) for each term spelled otherwise, longest terms first."""
    cores = [word_core(w.text) for w in words]
    found = []
    for first, n, form in longest_terms(cores, lambda run: normalize_tokens(" ".join(run)), lexicon):
        heard, written = " ".join(cores[first : first + n]), form.text
        if heard != written and _written_specially(written) and _same_but_case_and_hyphens(heard, written):
            found.append((heard, written))
    return found
