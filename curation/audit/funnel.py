"""The curation funnel: how many videos, frames and pairs survive each step, and why others not.

The video funnel is cumulative: a video counts at a step only if it passed every earlier one, and a
dropped video is charged to the first step it failed, with the reason its stage status recorded.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from curation.audit.videos import VideoFacts


@dataclass(frozen=True)
class VersionFacts:
    pairs_per_video: Counter
    taken_down: frozenset[str] = field(default_factory=frozenset)


def _stage_reason(facts: VideoFacts, *stages: str) -> str | None:
    return next((facts.why_not_done(s) for s in stages if not facts.done(s)), None)


def _fetched(facts: VideoFacts, version: VersionFacts) -> str | None:
    return _stage_reason(facts, "fetch")


def _transcribed(facts: VideoFacts, version: VersionFacts) -> str | None:
    return _stage_reason(facts, "asr")


def _with_frames(facts: VideoFacts, version: VersionFacts) -> str | None:
    return _stage_reason(facts, "keyframes") or (
        None if facts.keyframes else "no stable keyframe found"
    )


def _with_histology(facts: VideoFacts, version: VersionFacts) -> str | None:
    return _stage_reason(facts, "labels") or (
        None if facts.histology_frames else "no keyframe classified as histology"
    )


def _with_pairs(facts: VideoFacts, version: VersionFacts) -> str | None:
    if reason := _stage_reason(facts, "text", "pairs"):
        return reason
    if not facts.aligned_pairs:
        return "no selected sentence spoken over a histology frame"
    if version.pairs_per_video[facts.video_id]:
        return None
    return (
        "taken down"
        if facts.video_id in version.taken_down
        else "every pair removed by the dataset filters"
    )


VIDEO_STEPS: tuple[tuple[str, str, Callable[[VideoFacts, VersionFacts], str | None]], ...] = (
    ("fetched", "fetched", _fetched),
    ("transcribed", "transcribed", _transcribed),
    ("frames", "with keyframes", _with_frames),
    ("histology", "with histology frames", _with_histology),
    ("pairs", "with pairs in the version", _with_pairs),
)


def _reasons(dropped: dict[str, list[str]]) -> list[dict]:
    rows = [
        {"reason": reason, "count": len(ids), "videos": sorted(ids)}
        for reason, ids in dropped.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["reason"]))


def video_funnel(facts: list[VideoFacts], version: VersionFacts) -> list[dict]:
    steps = [{"step": "manifest", "label": "in manifest", "count": len(facts), "dropped": []}]
    alive = list(facts)
    for step, label, check in VIDEO_STEPS:
        dropped: dict[str, list[str]] = defaultdict(list)
        survivors = []
        for f in alive:
            reason = check(f, version)
            if reason is None:
                survivors.append(f)
            else:
                dropped[reason[:300]].append(f.video_id)
        steps.append(
            {"step": step, "label": label, "count": len(survivors), "dropped": _reasons(dropped)}
        )
        alive = survivors
    return steps


def _drop(reason: str, count: int) -> dict:
    return {"reason": reason, "count": count}


def frame_funnel(
    facts: list[VideoFacts], histology_threshold: float, frames_in_version: int
) -> list[dict]:
    found = sum(f.keyframes + f.duplicate_keyframes for f in facts)
    kept = sum(f.keyframes for f in facts)
    non_histology = Counter(
        frame_type
        for f in facts
        for frame_type, score in f.frame_labels
        if score < histology_threshold
    )
    histology = sum(f.histology_frames for f in facts)
    aligned = sum(f.aligned_frames for f in facts)
    return [
        {"step": "keyframes", "label": "stable keyframes", "count": found, "dropped": []},
        {
            "step": "unique",
            "label": "after near-duplicate removal",
            "count": kept,
            "dropped": [_drop("near-duplicate of a kept frame", found - kept)],
        },
        {
            "step": "histology",
            "label": "classified as histology",
            "count": histology,
            "dropped": [_drop(f"classified as {t}", n) for t, n in non_histology.most_common()],
        },
        {
            "step": "aligned",
            "label": "with an aligned sentence",
            "count": aligned,
            "dropped": [_drop("no sentence spoken while on screen", histology - aligned)],
        },
        {
            "step": "version",
            "label": "with a pair in the version",
            "count": frames_in_version,
            "dropped": [
                _drop("all its pairs removed by the dataset filters", aligned - frames_in_version)
            ],
        },
    ]


def pair_funnel(
    facts: list[VideoFacts], pairs_in_version: int, filter_drops: dict[str, int],
    sentences_joined: int | None = None,
) -> list[dict]:
    """`sentences_joined`: in a version captioned by frame, the sentence pairs that passed the filters
    and were joined into its `pairs_in_version` frame captions."""
    aligned = sum(f.aligned_pairs for f in facts)
    drops = [_drop(name, int(n)) for name, n in sorted(filter_drops.items(), key=lambda kv: -kv[1])]
    steps = [{"step": "aligned", "label": "candidate pairs", "count": aligned, "dropped": []}]
    if sentences_joined is not None:
        steps.append({"step": "filtered", "label": "sentence pairs kept", "count": sentences_joined, "dropped": drops})
        drops = []
    steps.append({
        "step": "version",
        "label": "pairs in the version" if sentences_joined is None else "frame captions in the version",
        "count": pairs_in_version,
        "dropped": drops,
    })
    return steps
