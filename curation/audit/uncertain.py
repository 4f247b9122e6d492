"""The words the text stage was unsure of in each pair's caption, read back from the videos' text.json.

A pair keeps only its caption's confidence; the unsure words are on the sentences it was made of
(`Sentence.uncertain`): those said within the pair's time whose text is part of its caption, which
finds the one sentence of a sentence pair and every sentence of a caption joined by frame.
"""

from __future__ import annotations

from collections import defaultdict

from curation.errors import InvalidArtifact
from curation.records import Pair, Sentence, TextAnalysis
from curation.store import Store

SLACK_S = 1e-3


def _sentences(store: Store, video_id: str) -> list[Sentence]:
    try:
        return store.load(video_id, TextAnalysis).sentences
    except InvalidArtifact:  # purged or never analysed: nothing to mark
        return []


def _parts(pair: Pair, sentences: list[Sentence]) -> list[Sentence]:
    return [
        s for s in sentences
        if pair.text_start - SLACK_S <= s.start and s.end <= pair.text_end + SLACK_S and s.text.strip() in pair.caption
    ]


def uncertain_words(store: Store, pairs: list[Pair]) -> dict[str, list[str]]:
    """Pair id -> its caption's unsure words (spoken pairs with any)."""
    by_video: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        if pair.text_type != "slide":
            by_video[pair.video_id].append(pair)
    found = {}
    for video_id, own in by_video.items():
        sentences = [s for s in _sentences(store, video_id) if s.uncertain]
        for pair in own:
            if words := [w for s in _parts(pair, sentences) for w in s.uncertain]:
                found[pair.pair_id] = words
    return found
