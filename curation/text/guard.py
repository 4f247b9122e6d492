"""The faithfulness guard: nothing a refiner invents survives, and every refusal is kept with its reason.

A correction is applied only if it is about words that are in the transcript, and either its right
side looks or sounds like its wrong side and is a known word or term (or, from an LLM, was proposed
both with and without the suspect list), or its right side is written on the video's slides or page
(its vocabulary) and still resembles what was heard, more loosely. An extracted sentence is kept only if its content
words are all in one sentence of the corrected transcript; that transcript sentence, never the
refiner's wording, is what gets marked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from curation.lexicon.lexicon import Lexicon
from curation.lexicon.tokens import FUNCTION_WORDS, fold, normalize_tokens, spoken_form
from curation.records import Correction, RejectedOutput
from curation.text.edits import occurs
from curation.text.refiner import Extraction, Proposal
from curation.text.selection import medical_terms
from curation.text.similarity import closeness

MIN_SOUND_SIMILARITY = 0.75
# A term of the video's vocabulary needs less: a narrator's "Grocott" heard as "brachat" is still
# the word on the slide, but a fix that neither looks nor sounds half like it is invented.
MIN_VOCABULARY_SIMILARITY = 0.4
# A fix may have one word more than what was heard, or more where Whisper ran the term's words
# together ("orphananiy nuclei" for "Orphan Annie eye nuclei"): it looks and sounds like them.
MAX_ADDED_WORDS = 1
# An extracted sentence is (most of) a transcript sentence, not a stray word of one.
MIN_SENTENCE_COVERAGE = 0.5


@dataclass
class GuardedCorrections:
    by_sentence: dict[int, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    records: list[Correction] = field(default_factory=list)
    rejected: list[RejectedOutput] = field(default_factory=list)


def is_known_phrase(text: str, lexicon: Lexicon) -> bool:
    tokens = normalize_tokens(text)
    if not tokens:
        return False
    return tokens in lexicon.forms or all(lexicon.is_known(t) for t in tokens if t.isalpha())


def _agreed_pairs(proposals: list[Proposal]) -> set[tuple[str, str]]:
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in proposals:
        sources[(fold(p.wrong), p.right)].add(p.source)
    return {
        pair for pair, found in sources.items() if {"llm-conditioned", "llm-unconditioned"} <= found
    }


def vocabulary_forms(vocabulary: tuple[str, ...], lexicon: Lexicon) -> set[tuple[str, ...]]:
    """Every way to write the video's vocabulary: each entry, and every form of a curated term in it."""
    forms = set()
    for entry in vocabulary:
        tokens = normalize_tokens(entry)
        known = lexicon.forms.get(tokens)
        forms |= set(lexicon.forms_of[known.name]) if known else {tokens}
    return forms


def correction_problem(
    proposal: Proposal,
    texts: list[str],
    lexicon: Lexicon,
    max_distance: float,
    agreed: bool,
    written: set[tuple[str, ...]] = frozenset(),
) -> str | None:
    """Why the proposal must not be applied, or None when it may; `written` holds the forms of
    the video's vocabulary."""
    wrong, right = proposal.wrong, proposal.right
    if not any(0 <= i < len(texts) and occurs(wrong, texts[i]) for i in proposal.sentences):
        return f"'{wrong}' is not in the transcript"
    if not normalize_tokens(right):
        return "the right side is empty"
    if normalize_tokens(right) == normalize_tokens(wrong):
        return None  # the same words written otherwise: "reed Sternberg" as "Reed-Sternberg"
    # a number is heard in words: "the two" is compared with "HER two", not with "HER2"
    close = max(closeness(wrong, right), closeness(wrong, spoken_form(right)), key=lambda c: c.score)
    heard_run_together = min(close.spelling, close.sound) >= MIN_SOUND_SIMILARITY  # "orphananiy"
    added = len(normalize_tokens(right)) - len(normalize_tokens(wrong))
    if added > MAX_ADDED_WORDS and not heard_run_together:
        return f"'{right}' adds words to '{wrong}'"
    if normalize_tokens(wrong) in lexicon.forms and not agreed:
        return f"'{wrong}' is already a known term"
    if normalize_tokens(right) in written:
        if max(close.spelling, close.sound) < MIN_VOCABULARY_SIMILARITY:
            return (
                f"'{right}' is on the slides or page but nothing like '{wrong}' "
                f"(spelling {close.spelling:.2f}, sound {close.sound:.2f})"
            )
        return None
    if close.spelling < 1 - max_distance and close.sound < MIN_SOUND_SIMILARITY:
        return (
            f"'{right}' neither looks nor sounds like '{wrong}' "
            f"(spelling {close.spelling:.2f}, sound {close.sound:.2f})"
        )
    if not is_known_phrase(right, lexicon) and not agreed:
        return f"'{right}' is not a known word or term"
    return None


def guard_corrections(
    proposals: list[Proposal],
    texts: list[str],
    lexicon: Lexicon,
    max_distance: float,
    vocabulary: tuple[str, ...] = (),
) -> GuardedCorrections:
    result = GuardedCorrections()
    agreed = _agreed_pairs(proposals)
    written = vocabulary_forms(vocabulary, lexicon)
    recorded: dict[tuple[str, str, str], Correction] = {}
    for p in proposals:
        if p.wrong.strip() == p.right.strip():
            continue
        problem = correction_problem(
            p, texts, lexicon, max_distance, (fold(p.wrong), p.right) in agreed, written
        )
        key = (p.wrong, p.right, p.source)
        if problem is None:
            for i in p.sentences:
                if 0 <= i < len(texts) and occurs(p.wrong, texts[i]):
                    result.by_sentence[i].append((p.wrong, p.right))
        elif key not in recorded:
            result.rejected.append(
                RejectedOutput(kind="correction", value=f"{p.wrong} -> {p.right}", reason=problem)
            )
        if key not in recorded:
            recorded[key] = Correction(
                wrong=p.wrong,
                right=p.right,
                source=p.source,
                applied=problem is None,
                reason=problem or "",
            )
    result.records = list(recorded.values())
    return result


def content_words(text: str) -> set[str]:
    return {t for t in normalize_tokens(text) if t not in FUNCTION_WORDS}


def locate_sentence(item: str, texts: list[str]) -> tuple[int | None, str]:
    """The transcript sentence holding every content word of `item` (and mostly those), or None
    and the reason."""
    words = content_words(item)
    if not words:
        return None, "no content words"
    best = max(range(len(texts)), key=lambda i: len(words & content_words(texts[i])), default=None)
    if best is None:
        return None, "the transcript is empty"
    missing = sorted(words - content_words(texts[best]))
    if missing:
        return None, "words not in the transcript: " + ", ".join(missing)
    if len(words) < MIN_SENTENCE_COVERAGE * len(content_words(texts[best])):
        return None, "covers too little of any transcript sentence"
    return best, ""


def guard_extraction(
    extraction: Extraction, texts: list[str], lexicon: Lexicon
) -> tuple[set[int], set[int], list[RejectedOutput]]:
    """Indices of the MED and ROI sentences, and the refused extractions with their reasons."""
    med: set[int] = set()
    roi: set[int] = set()
    rejected: list[RejectedOutput] = []
    for kind, items, chosen in (("med", extraction.med, med), ("roi", extraction.roi, roi)):
        for item in dict.fromkeys(items):
            index, reason = locate_sentence(item, texts)
            if index is not None and kind == "med" and not medical_terms(texts[index], lexicon):
                index, reason = None, "no medical term in the sentence"
            if index is None:
                rejected.append(RejectedOutput(kind=kind, value=item, reason=reason))
            else:
                chosen.add(index)
    return med, roi, rejected
