"""What the frame filter did: each video's keyframes as the classifier labelled them, kept or
rejected, for the report's frame grid.

Kept frames come weakest first and rejected ones strongest first, so the frames nearest the
threshold, where mistakes gather, lead each grid; a grid longer than its limit shows frames spread
evenly over the ranking, so both ends stay in view.
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.errors import InvalidArtifact
from curation.records import FrameLabel, FrameLabels, Keyframe, Keyframes
from curation.store import Store


@dataclass(frozen=True)
class LabelledFrame:
    video_id: str
    keyframe: Keyframe
    label: FrameLabel

    @property
    def image_path(self) -> str:
        """The whole keyframe, as the classifier saw it (relative to the data root)."""
        return f"videos/{self.video_id}/{self.keyframe.image_path}"


@dataclass(frozen=True)
class FrameGrids:
    kept: list[LabelledFrame]
    rejected: list[LabelledFrame]
    kept_total: int
    rejected_total: int


def labelled_frames(store: Store, video_id: str) -> list[LabelledFrame]:
    """The video's kept (not near-duplicate) keyframes with their labels; none before labelling."""
    try:
        keyframes = store.load(video_id, Keyframes).keyframes
        labels = {label.index: label for label in store.load(video_id, FrameLabels).labels}
    except InvalidArtifact:  # not labelled (failed, purged or never run): the filter did nothing
        return []
    return [LabelledFrame(video_id, kf, labels[kf.index])
            for kf in keyframes if kf.duplicate_of is None and kf.index in labels]


def spread(frames: list[LabelledFrame], limit: int) -> list[LabelledFrame]:
    if len(frames) <= limit:
        return frames
    if limit <= 1:
        return frames[:limit]
    return [frames[round(i * (len(frames) - 1) / (limit - 1))] for i in range(limit)]


def frame_grids(store: Store, video_ids: list[str], threshold: float, limit: int) -> FrameGrids:
    frames = [frame for video_id in video_ids for frame in labelled_frames(store, video_id)]
    rank = sorted(frames, key=lambda f: (f.label.histology_score, f.video_id, f.keyframe.index))
    kept = [f for f in rank if f.label.histology_score >= threshold]
    rejected = [f for f in reversed(rank) if f.label.histology_score < threshold]
    return FrameGrids(spread(kept, limit), spread(rejected, limit), len(kept), len(rejected))
