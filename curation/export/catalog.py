"""What a dataset build reads from the store: each ready video's info, pairs and keyframes.

A video is ready when every stage is done, each made from the outputs of its input stages that
are stored now, and every artifact validates; any other video is left out with the reason, so a
failed re-run or a damaged artifact never ships stale or half-read pairs. Each artifact is parsed
once: the build takes the records the readiness check validated. The build's own
settings do not enter: a version is a view of what was curated.
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.records import Artifact, CandidatePairs, Keyframe, Keyframes, Pair, Video
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


def video_inputs(records: dict[type[Artifact], Artifact]) -> VideoInputs:
    return VideoInputs(
        video=records[Video],
        pairs=records[CandidatePairs].pairs,
        keyframes={kf.index: kf for kf in records[Keyframes].keyframes},
    )


def load_catalog(store: Store) -> Catalog:
    from curation.stages import check_readiness  # every stage's imports: not for reading a version record

    videos, not_ready = {}, {}
    for video_id in store.video_ids():
        readiness = check_readiness(store, video_id)  # the records it validated are the ones shipped
        if readiness.reason is None:
            videos[video_id] = video_inputs(readiness.records)
        else:
            not_ready[video_id] = readiness.reason
    return Catalog(videos=videos, not_ready=not_ready)
