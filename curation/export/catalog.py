"""What a dataset build reads from the store: each finished video's info, pairs and keyframes."""

from __future__ import annotations

from dataclasses import dataclass

from curation.records import Keyframe, Keyframes, Pair, Video
from curation.store import Store


@dataclass(frozen=True)
class VideoInputs:
    video: Video
    pairs: list[Pair]
    keyframes: dict[int, Keyframe]  # by index


@dataclass(frozen=True)
class Catalog:
    videos: dict[str, VideoInputs]
    not_ready: list[str]  # videos in the store whose pairs stage has not finished


def pairs_done(store: Store, video_id: str) -> bool:
    status = store.statuses(video_id).get("pairs")
    return status is not None and status.state == "done"


def load_video(store: Store, video_id: str) -> VideoInputs:
    paths = {name: store.video_path(video_id, name) for name in ("info.json", "pairs.jsonl", "keyframes.json")}
    missing = [path for path in paths.values() if not store.exists(path)]
    if missing:
        raise ValueError(f"video {video_id}: its pairs stage is done but {', '.join(missing)} is missing")
    keyframes = store.read_model(paths["keyframes.json"], Keyframes)
    return VideoInputs(
        video=store.read_model(paths["info.json"], Video),
        pairs=store.read_jsonl(paths["pairs.jsonl"], Pair),
        keyframes={kf.index: kf for kf in keyframes.keyframes},
    )


def load_catalog(store: Store) -> Catalog:
    ready, not_ready = [], []
    for video_id in store.video_ids():
        (ready if pairs_done(store, video_id) else not_ready).append(video_id)
    return Catalog(videos={vid: load_video(store, vid) for vid in ready}, not_ready=not_ready)
