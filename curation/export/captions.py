"""Caption unit of a version: a pair per kept sentence, or a frame's kept sentences joined into one.

`frame` joins, in the order they were said, the spoken sentences (med, roi, raw) of one frame that
passed every check, as Quilt-1M captioned each image with all of its narration. A frame's slide
text stays a pair of its own: it was written, not said, and carries no text confidence to mix.
A joined pair's id is the usual hash of video, frame time and caption, so it is stable across
rebuilds, changes only when its sentences change, and equals the sentence pair's id when one
sentence was said over the frame (the very same pair).
"""

from __future__ import annotations

from collections import defaultdict

from curation.records import Pair, TextType

SPOKEN_RANK: tuple[TextType, ...] = ("med", "roi", "raw")  # a joined caption is MED if any part is


def joined_confidence(parts: list[Pair]) -> float:
    """Word-weighted mean: the text stage's measure (doubt per word) over the whole caption."""
    words = [max(len(p.caption.split()), 1) for p in parts]
    return round(sum(p.text_confidence * n for p, n in zip(parts, words, strict=True)) / sum(words), 3)


def join_frame(parts: list[Pair]) -> Pair:
    """One pair of the frame's spoken sentences, in the order they were said."""
    parts = sorted(parts, key=lambda p: (p.text_start, p.text_end, p.pair_id))
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    caption = " ".join(p.caption.strip() for p in parts)
    return first.model_copy(update={
        "pair_id": Pair.make_id(first.video_id, first.frame_time, caption),
        "caption": caption,
        "raw_caption": " ".join(p.raw_caption.strip() for p in parts),
        "text_type": next(t for t in SPOKEN_RANK if any(p.text_type == t for p in parts)),
        "is_roi": any(p.is_roi for p in parts),
        "text_start": min(p.text_start for p in parts),
        "text_end": max(p.text_end for p in parts),
        "med_terms": list(dict.fromkeys(t for p in parts for t in p.med_terms)),
        "text_confidence": joined_confidence(parts),
        "uncertain": list(dict.fromkeys(w for p in parts for w in p.uncertain)),
    })


def caption_pairs(kept: list[Pair], unit: str) -> list[Pair]:
    """The pairs a version ships from the stored pairs that passed its checks."""
    if unit == "sentence":
        return kept
    spoken: dict[tuple[str, int], list[Pair]] = defaultdict(list)
    slides = []
    for pair in kept:
        if pair.text_type == "slide":
            slides.append(pair)
        else:
            spoken[(pair.video_id, pair.keyframe_index)].append(pair)
    return [join_frame(parts) for parts in spoken.values()] + slides
