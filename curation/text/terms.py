"""Find the curated histopathology terms in a text (case-insensitive, multi-word and plural aware)."""

from __future__ import annotations

from curation.text.lexicon import Lexicon, load_lexicon
from curation.text.tokens import inflections, normalize_tokens


def _longest_form(lexicon: Lexicon) -> int:
    return max(len(form) for form in lexicon.forms)


def find_terms(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Names of the curated terms in `text`, in order of first appearance, each once.

    The longest term wins where terms overlap: "Langhans giant cells" is one term, not three.
    """
    lexicon = lexicon or load_lexicon()
    tokens = normalize_tokens(text)
    longest = _longest_form(lexicon)
    found: dict[str, None] = {}
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            name = lexicon.forms.get(tokens[i : i + n])
            if name is not None:
                found[name] = None
                i += n
                break
        else:
            i += 1
    return list(found)


def term_present(term: str, text: str) -> bool:
    """Whether `term` (any spelling, singular or plural) occurs in `text` as whole words."""
    tokens = normalize_tokens(text)
    for form in inflections(normalize_tokens(term)):
        n = len(form)
        if n and any(tokens[i : i + n] == form for i in range(len(tokens) - n + 1)):
            return True
    return False
