"""Each video's own medical vocabulary, from its page and its slides, and a slide's caption text.

The vocabulary is the curated terms, then the medical words (hunspell-en-med words that an English
speller does not know, or long ones), found in the video's title, chapters, tags, slide text and
description, read in that order; each once, in order of first appearance, spelled as first written.
A medical word naming the generic noun after it ("Hurthle cells") is listed with that noun: the
narrator says the two together, and what the ASR heard for them ("versatile cells") is near the
phrase where it is far from the word alone.
"""

from __future__ import annotations

import re

from curation.lexicon.lexicon import HARD_WORD_LETTERS, Lexicon
from curation.lexicon.terms import find_terms
from curation.lexicon.tokens import fold, normalize_tokens
from curation.records import SlideText, SlideTexts, Video

WORD = re.compile(r"[A-Za-z]{3,}")
NOUN_AFTER = re.compile(r"[ -]([A-Za-z]+)")
GENERIC_NOUNS = frozenset({
    "cell", "cells", "body", "bodies", "nodule", "nodules", "granule", "granules", "crystal",
    "crystals", "fibers", "fibres", "disease", "syndrome", "sign", "stain",
})
BULLET = re.compile(r"^\s*(?:[^\w\s(\"']+|[a-z](?=\s+[A-Z]))\s*")  # "•", "®", or a bullet read as "e"
CHATTER = re.compile(
    r"^(?:(?:any\s+)?questions?|thank\s+you|thanks|references?|acknowledg(?:e)?ments?|outline|agenda)\W*$"
    r"|^(?:slide|page)\s*\d+|^\d+\s*(?:/|of)\s*\d+$|https?://|www\.|\S+@\S+\.\w|©|\bcopyright\b",
    re.IGNORECASE,
)


def page_texts(video: Video) -> list[str]:
    """Title, chapters and tags of the video's page, without repeats."""
    return list(dict.fromkeys(p for p in (video.title, *video.chapters, *video.tags) if p.strip()))


def medical_words(text: str, lexicon: Lexicon) -> list[tuple[str, str]]:
    """(word, the word or the phrase it opens with a generic noun) for each medical word."""
    found = []
    for match in WORD.finditer(text):
        word = match.group()
        if lexicon.is_medical(word) and (not lexicon.is_english(word) or len(word) >= HARD_WORD_LETTERS):
            noun = NOUN_AFTER.match(text, match.end())
            named = noun is not None and fold(noun.group(1)) in GENERIC_NOUNS
            found.append((word, f"{word} {noun.group(1)}" if named else word))
    return found


def video_vocabulary(video: Video, slides: SlideTexts, lexicon: Lexicon) -> list[str]:
    """Curated term names, then medical words, of the video's page and slides, in a stable order.
    A word that is part of a term found, or a form of one ("granulomas"), is not listed again."""
    slide_lines = [line.text for frame in slides.frames for line in frame.lines]
    texts = [*page_texts(video), *slide_lines, *([video.description] if video.description.strip() else [])]
    terms = list(dict.fromkeys(name for text in texts for name in find_terms(text, lexicon)))
    covered = {token for name in terms for token in normalize_tokens(name)}
    words: dict[str, str] = {}
    for text in texts:
        for word, listed in medical_words(text, lexicon):
            form = lexicon.forms.get(normalize_tokens(word))
            if fold(word) not in covered and (form is None or form.name not in terms):
                if words.get(fold(word), word) == word:  # a phrase, once found, stands for the word
                    words[fold(word)] = listed
    return terms + [w for w in words.values() if w not in terms]


def slide_caption(slide: SlideText) -> str:
    """The slide's own words about its picture: its lines without bullets, page numbers and
    chatter ("Questions?", links), the first (the title) set before the rest."""
    kept = []
    for line in slide.lines:
        text = BULLET.sub("", line.text).strip()
        if re.search(r"[A-Za-z]{2,}", text) and not CHATTER.search(text):
            kept.append(text.rstrip(" .;:"))
    if len(kept) <= 1:
        return "".join(kept)
    return f"{kept[0]}: {'; '.join(kept[1:])}"
