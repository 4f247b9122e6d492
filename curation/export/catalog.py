"""What a dataset build reads from the store: each ready video's info, pairs and keyframes.

A video is ready when every stage is done, each made from the outputs of its input stages that
are stored now, and every artifact validates; any other video is left out with the reason, so a
failed re-run or a damaged artifact never ships stale or half-read pairs. The build's own
settings do not enter: a version is a view of what was curated.
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.errors import InvalidArtifact
from curation.records import CandidatePairs, Keyframe, Keyframes, Pair, Video
from curation.stages import not_ready_reason
from curation.store import Store


@dataclass(frozen=True)
class VideoInputs:
    video: Video
    pairs: list[Pair]
    keyframes: dict[int, Keyframe]  # by index


@dataclass(frozen=True)
class Catalog:
    videos: dict[str, VideoInputs]
    not_ready: dict[str, str]  # video id -> why it is left out


def load_video(store: Store, video_id: str) -> VideoInputs:
    keyframes = store.load(video_id, Keyframes)
    return VideoInputs(
        video=store.load(video_id, Video),
        pairs=store.load(video_id, CandidatePairs).pairs,
        keyframes={kf.index: kf for kf in keyframes.keyframes},
    )


def load_catalog(store: Store) -> Catalog:
    videos, not_ready = {}, {}
    for video_id in store.video_ids():
        reason = not_ready_reason(store, video_id)
        if reason is None:
            try:
                videos[video_id] = load_video(store, video_id)
            except InvalidArtifact as exc:  # changed since the readiness check
                reason = str(exc)
        if reason is not None:
            not_ready[video_id] = reason
    return Catalog(videos=videos, not_ready=not_ready)
