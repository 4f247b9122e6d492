"""A mishearing that recurs is corrected wherever it recurs.

Whisper, conditioned on its own earlier text, writes the same wrong words again, and surer of them
("crib to carcass" at probability 0.26, then at 0.99 a sentence later). The refiner corrects the
first, where the words were doubted; a confident repeat looks heard right. The same words in the
same video mean the same term, so an accepted correction carries to every sentence that repeats its
wrong side, unless they say something too common to be sure of ("the two" for HER2, one everyday
word) or that sentence corrects those words otherwise.
"""

from __future__ import annotations

from curation.lexicon.lexicon import Lexicon, is_unknown
from curation.lexicon.tokens import FUNCTION_WORDS, normalize_tokens, spoken_number, word_core
from curation.text.edits import span_pattern

Fix = tuple[str, str]  # (wrong, right)
MIN_CONTENT_LETTERS = 6  # the wrong side's content words together: "Mac ground", not "a cell"


def is_distinctive(wrong: str, lexicon: Lexicon) -> bool:
    """Words that are no ordinary phrase a narrator could mean: one word no dictionary knows, or
    several with enough content words between them."""
    tokens = normalize_tokens(wrong)
    content = [t for t in tokens if t not in FUNCTION_WORDS and t.isalpha() and spoken_number((t,)) is None]
    if len(tokens) == 1:
        return bool(content) and is_unknown(word_core(wrong), lexicon)
    return sum(len(t) for t in content) >= MIN_CONTENT_LETTERS


def _spans(wrong: str, text: str) -> list[range]:
    return [range(*m.span()) for m in span_pattern(wrong).finditer(text)]


def _overlaps(a: list[range], b: list[range]) -> bool:
    return any(x.start < y.stop and y.start < x.stop for x in a for y in b)


def with_recurrences(
    by_sentence: dict[int, list[Fix]], texts: list[str], lexicon: Lexicon
) -> dict[int, list[Fix]]:
    """Each sentence's accepted fixes (`by_sentence`, indexed as `texts`), with those made
    elsewhere in the video added where the sentence repeats their wrong words."""
    result = {i: list(fixes) for i, fixes in by_sentence.items()}
    made = dict.fromkeys(fix for fixes in by_sentence.values() for fix in fixes)
    rights: dict[tuple[str, ...], set[str]] = {}
    for wrong, right in made:
        rights.setdefault(normalize_tokens(wrong), set()).add(right)
    for wrong, right in sorted(made, key=lambda fix: len(fix[0]), reverse=True):  # longer spans win
        # words corrected two ways: which one a repeat means is unknown
        if len(rights[normalize_tokens(wrong)]) > 1 or not is_distinctive(wrong, lexicon):
            continue
        for i, text in enumerate(texts):
            found, own = _spans(wrong, text), result.get(i, [])
            if not found or any(normalize_tokens(w) == normalize_tokens(wrong) for w, _ in own):
                continue
            if not _overlaps(found, [s for other, _ in own for s in _spans(other, text)]):
                result.setdefault(i, []).append((wrong, right))
    return result
