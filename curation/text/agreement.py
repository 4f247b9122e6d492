"""The plural a small ASR drops before "are": "the large cell are positive", said "cells are".

The "s" runs into the vowel after it, and tiny.en writes the singular (three times in one noisy
demo lecture). A noun that heads a curated term ("Reed-Sternberg cell", "psammoma body"), right
before "are" or "were", is given its plural, unless the words before make it a verb ("the cells
you count are", "the cells that stain are") or an adjective ("stained red are"), or a plural
earlier in the clause may be what "are" agrees with ("cells with pink cytoplasm are").
"""

from __future__ import annotations

from functools import cache

from curation.lexicon.lexicon import Lexicon
from curation.lexicon.tokens import fold, plural_forms, word_core
from curation.text.sentences import SpokenWord, ends_clause

PLURAL_VERBS = frozenset({"are", "were"})
# after these, the word before "are" is a verb: "the cells (that|we) stain are"
SUBJECTS = frozenset({"i", "you", "we", "they", "he", "she", "it", "that", "which", "who"})


@cache
def _term_heads(lexicon: Lexicon) -> frozenset[str]:
    return frozenset(form[-1] for form in lexicon.forms if len(form) > 1 and form[-1].isalpha())


def _plural(noun: str, lexicon: Lexicon) -> str | None:
    """The one plural of a term's head the dictionary knows, in the noun's case."""
    if fold(noun) not in _term_heads(lexicon):
        return None
    plurals = [p for p in plural_forms(fold(noun)) if lexicon.is_known(p)]
    if len(plurals) != 1:
        return None
    return noun + plurals[0][len(noun) :] if plurals[0].startswith(fold(noun)) else plurals[0]


def _is_plural(token: str, lexicon: Lexicon) -> bool:
    singulars = (token[:-1], token[:-2], token[:-3] + "y", token[:-1] + "us", token[:-1] + "um")
    return any(lexicon.is_known(s) and token in plural_forms(s) for s in singulars if len(s) > 2)


def agreement_fixes(words: list[SpokenWord], lexicon: Lexicon) -> list[tuple[str, str]]:
    """(wrong, right) for each singular term head right before "are" or "were"."""
    fixes, clause_start = [], 0
    for i in range(1, len(words) - 1):
        if ends_clause(words[i - 1].text):
            clause_start = i
        noun, verb = words[i].text.strip(), word_core(words[i + 1].text)
        before = fold(word_core(words[i - 1].text))
        if fold(verb) not in PLURAL_VERBS or not noun.isalpha() or before in SUBJECTS or before.endswith("ed"):
            continue
        if any(_is_plural(fold(word_core(w.text)), lexicon) for w in words[clause_start : i + 1]):
            continue  # a plural before "are", the noun itself included ("the cells are")
        plural = _plural(noun, lexicon)
        if plural is not None:
            fixes.append((f"{noun} {verb}", f"{plural} {verb}"))
    return fixes
