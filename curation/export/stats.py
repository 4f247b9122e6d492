"""`stats.json`: how many videos and pairs went in, what each check dropped, what each split holds."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from curation.export.catalog import Catalog
from curation.export.checks import Selection
from curation.export.shards import ShardStats
from curation.export.splits import SPLITS
from curation.records import Pair


class SplitStats(BaseModel):
    videos: int
    images: int
    pairs: int
    shards: int


class VideoStats(BaseModel):
    split: str
    candidate_pairs: int
    pairs: int


class DatasetStats(BaseModel):
    videos_ready: int
    videos_not_ready: list[str]
    not_ready_reasons: dict[str, str] = {}  # video id -> the first stage not done and current
    videos_taken_down: list[str]
    videos: int
    candidate_pairs: int
    caption_unit: str = "sentence"
    sentence_pairs: int | None = None  # stored pairs that passed every check; `pairs` once joined by frame
    pairs: int
    images: int
    dropped: dict[str, int]
    text_types: dict[str, int]
    splits: dict[str, SplitStats]
    per_video: dict[str, VideoStats]
    shards: dict[str, list[ShardStats]]


def image_count(pairs: list[Pair]) -> int:
    return len({p.image_path for p in pairs})


def dataset_stats(
    catalog: Catalog,
    selection: Selection,
    kept: list[Pair],
    caption_unit: str,
    splits: dict[str, str],
    shards: dict[str, list[ShardStats]],
    taken_down: list[str],
) -> DatasetStats:
    """`kept`: the pairs the version ships, which `selection.kept` become in its caption unit."""
    kept_per_video = Counter(p.video_id for p in kept)
    by_split = {name: [p for p in kept if splits[p.video_id] == name] for name in SPLITS}
    return DatasetStats(
        videos_ready=len(catalog.videos),
        videos_not_ready=[v for v in catalog.not_ready if v not in taken_down],
        not_ready_reasons={v: why for v, why in catalog.not_ready.items() if v not in taken_down},
        videos_taken_down=taken_down,
        videos=len(kept_per_video),
        candidate_pairs=sum(len(v.pairs) for v in catalog.videos.values()),
        caption_unit=caption_unit,
        sentence_pairs=len(selection.kept),
        pairs=len(kept),
        images=image_count(kept),
        dropped=selection.drop_counts,
        text_types=dict(Counter(p.text_type for p in kept)),
        splits={
            name: SplitStats(
                videos=len({p.video_id for p in pairs}), images=image_count(pairs),
                pairs=len(pairs), shards=len(shards[name]),
            )
            for name, pairs in by_split.items()
        },
        per_video={
            vid: VideoStats(split=splits[vid], candidate_pairs=len(inputs.pairs), pairs=kept_per_video[vid])
            for vid, inputs in sorted(catalog.videos.items())
        },
        shards=shards,
    )
