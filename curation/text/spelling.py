"""A term heard right but written otherwise ("reed Sternberg cell", "ki 67") is written as the
term list writes it ("Reed-Sternberg cell", "Ki-67"): the same words in other case or hyphens
("Hodgkin's lymphoma" stays as said), so that captions name an entity one way. Only names with a
capital or a hyphen are respelled; a lower-case term keeps the case its sentence gave it
("Melanoma is...").
"""

from __future__ import annotations

from curation.lexicon.lexicon import Lexicon
from curation.lexicon.tokens import normalize_tokens, word_core
from curation.text.sentences import SpokenWord

MAX_TERM_WORDS = 6


def _written_specially(text: str) -> bool:
    return text != text.lower() or "-" in text


def _same_but_case_and_hyphens(a: str, b: str) -> bool:
    return a.lower().replace("-", " ") == b.lower().replace("-", " ")


def respellings(words: list[SpokenWord], lexicon: Lexicon) -> list[tuple[str, str]]:
    """(as heard, as the term is written) for each term spelled otherwise, longest terms first."""
    cores = [word_core(w.text) for w in words]
    found, i = [], 0
    while i < len(cores):
        for n in range(min(MAX_TERM_WORDS, len(cores) - i), 0, -1):
            heard = " ".join(cores[i : i + n])
            form = lexicon.forms.get(normalize_tokens(heard))
            if form is not None and normalize_tokens(form.text) == normalize_tokens(heard):
                written = form.text
                if heard != written and _written_specially(written) and _same_but_case_and_hyphens(heard, written):
                    found.append((heard, written))
                i += n - 1
                break
        i += 1
    return found
