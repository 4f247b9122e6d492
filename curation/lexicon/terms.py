"""Find the curated histopathology terms in a text (case-insensitive, multi-word and plural aware)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from curation.lexicon.lexicon import Lexicon, TermForm, load_lexicon
from curation.lexicon.tokens import inflections, normalize_tokens

Piece = TypeVar("Piece")


def longest_terms(
    pieces: Sequence[Piece], tokens_of: Callable[[Sequence[Piece]], tuple[str, ...]], lexicon: Lexicon
) -> Iterator[tuple[int, int, TermForm]]:
    """(first piece, pieces, form) of each curated term among `pieces` (tokens, or words whose
    tokens `tokens_of` gives), left to right; the longest term wins where terms overlap."""
    longest = lexicon.longest_form
    i = 0
    while i < len(pieces):
        for n in range(min(longest, len(pieces) - i), 0, -1):
            form = lexicon.forms.get(tokens_of(pieces[i : i + n]))
            if form is not None:
                yield i, n, form
                i += n
                break
        else:
            i += 1


def find_terms(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Names of the curated terms in `text`, in order of first appearance, each once.

    The longest term wins where terms overlap: "Langhans giant cells" is one term, not three.
    """
    lexicon = lexicon or load_lexicon()
    found = longest_terms(normalize_tokens(text), tuple, lexicon)
    return list(dict.fromkeys(form.name for _, _, form in found))


def term_present(term: str, text: str, lexicon: Lexicon | None = None) -> bool:
    """Whether `term` occurs in `text`, spelled right: a curated term in any of its listed
    spellings, singular or plural; any other term as its own words, singular or plural."""
    lexicon = lexicon or load_lexicon()
    wanted = normalize_tokens(term)
    known = lexicon.forms.get(wanted)
    tokens = normalize_tokens(text)
    if known is not None:
        forms = lexicon.forms_of[known.name]
        return any(
            tokens[i : i + len(f)] == f for f in forms for i in range(len(tokens) - len(f) + 1)
        )
    n = len(wanted)
    return n > 0 and any(
        wanted in inflections(said) or said in inflections(wanted)
        for said in (tokens[i : i + n] for i in range(len(tokens) - n + 1))
    )
