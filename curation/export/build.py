"""Build a dataset version from the stored per-video artifacts; no model or stage runs here.

    pairs.jsonl of every finished video -> checks -> split by video -> one version folder:
    pairs.parquet, dropped.parquet, train.csv, val.csv, shards/{train,val}/, stats.json,
    diff.json, card.md, version.json
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from curation.config import Settings, config_hash
from curation.export.card import render_card
from curation.export.catalog import Catalog, load_catalog
from curation.export.clip_csv import write_clip_csv
from curation.export.diff import PAIRS_FILE, VersionDiff, diff_pairs, pair_videos
from curation.export.manifest import pair_row, write_pairs
from curation.export.selection import BuildConfig, Selection, rules, select_pairs
from curation.export.shards import ShardStats, shard_plan, write_shards
from curation.export.splits import SPLITS, split_of, unit_hash
from curation.export.stats import DatasetStats, dataset_stats
from curation.export.takedown import blocked_ids
from curation.export.versions import (
    VERSION_RECORD,
    DatasetVersion,
    latest_version,
    next_version,
    set_latest,
    staged_version,
)
from curation.records import Pair
from curation.store import Store

DROPPED_FILE = "dropped.parquet"


def now() -> str:
    """UTC time to the microsecond, so versions built within one second still sort in order."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def image_location(store: Store, relative: str) -> str:
    """Where a trainer opens the image: an absolute local path, or the object-store URL."""
    path = store.join(relative)
    return str(store.local_path(path)) if store.is_local else store.fs.unstrip_protocol(path)


def build_version(
    store: Store, settings: Settings, version: str | None = None, takedown: Path | None = None
) -> DatasetVersion:
    blocked = blocked_ids(store, takedown)
    config = BuildConfig.from_settings(settings, blocked)
    catalog = load_catalog(store)
    selection = select_pairs(catalog, config, image_exists=cache(lambda rel: store.exists(store.join(rel))))
    splits = {vid: split_of(vid, config.seed, config.val_fraction) for vid in catalog.videos}

    name = config.dataset
    previous = latest_version(store, name)
    version = version or next_version(store, name)
    old_pairs = pair_videos(store, name, previous) if previous else {}
    diff = diff_pairs(old_pairs, {p.pair_id: p.video_id for p in selection.kept}, previous, version)
    taken_down = sorted(blocked & (set(catalog.videos) | set(catalog.not_ready)))

    with staged_version(store, name, version) as folder:
        shards, located = write_split_files(store, folder, selection.kept, splits, config)
        stats = dataset_stats(catalog, selection, splits, shards, taken_down)
        record = DatasetVersion(
            name=name, version=version, path=store.dataset_dir(name, version), created_at=now(),
            previous=previous, config_hash=config_hash(config), counts=version_counts(stats, diff),
        )
        write_manifests(folder, selection, splits, located)
        write_description(folder, record, config, catalog, selection, stats, diff)
    set_latest(store, name, version)
    return record


def training_order(pairs: list[Pair], seed: int) -> list[Pair]:
    """A seeded shuffle that stays stable across versions, so one batch rarely holds one video."""
    return sorted(pairs, key=lambda p: unit_hash(seed, p.pair_id))


SplitFiles = tuple[dict[str, list[ShardStats]], dict[str, str]]


def write_split_files(
    store: Store, folder: Path, kept: list[Pair], splits: dict[str, str], config: BuildConfig
) -> SplitFiles:
    """CSV and shards of each split; returns the shard stats per split and each pair's shard."""
    shards, located = {}, {}
    for split in SPLITS:
        pairs = training_order([p for p in kept if splits[p.video_id] == split], config.seed)
        write_clip_csv(folder / f"{split}.csv", [(image_location(store, p.image_path), p.caption) for p in pairs])
        plan = shard_plan(pairs, config.shard_size)
        located |= {p.pair_id: f"{split}/{name}" for name, chunk in plan.items() for p in chunk}
        shards[split] = write_shards(
            folder / "shards" / split, plan, split, read_image=lambda rel: store.read_bytes(store.join(rel))
        )
    return shards, located


def write_manifests(folder: Path, selection: Selection, splits: dict[str, str], located: dict[str, str]) -> None:
    kept = sorted(selection.kept, key=lambda p: (p.video_id, p.frame_time, p.text_start, p.pair_id))
    write_pairs(
        folder / PAIRS_FILE,
        [pair_row(p, split=splits[p.video_id], shard=located[p.pair_id]) for p in kept],
        ("split", "shard"),
    )
    write_pairs(
        folder / DROPPED_FILE,
        [pair_row(p, reason=reason) for reason, pairs in selection.dropped.items() for p in pairs],
        ("reason",),
    )


def version_counts(stats: DatasetStats, diff: VersionDiff) -> dict[str, int]:
    return {
        "videos": stats.videos,
        "images": stats.images,
        "pairs": stats.pairs,
        **{f"{split}_pairs": stats.splits[split].pairs for split in SPLITS},
        "dropped": sum(stats.dropped.values()),
        "added": len(diff.added),
        "removed": len(diff.removed),
    }


def write_description(
    folder: Path, record: DatasetVersion, config: BuildConfig, catalog: Catalog,
    selection: Selection, stats: DatasetStats, diff: VersionDiff,
) -> None:
    (folder / "stats.json").write_text(stats.model_dump_json(indent=1))
    (folder / "diff.json").write_text(diff.model_dump_json(indent=1))
    videos = [catalog.videos[vid].video for vid in sorted(catalog.videos)]
    card = render_card(record, config, rules(config), stats, videos, selection.kept, diff)
    (folder / "card.md").write_text(card)
    (folder / VERSION_RECORD).write_text(record.model_dump_json(indent=1))
