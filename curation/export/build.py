"""Build a dataset version from the stored per-video artifacts; no model or stage runs here.

    pairs.jsonl of every finished video -> checks -> caption unit -> split by video -> one version folder:
    pairs.parquet, dropped.parquet, train.csv, val.csv, shards/{train,val}/, stats.json,
    diff.json, card.md, version.json

A build whose config hash and inputs hash match the latest version's adds no version: it returns
that one, so a run killed after publishing (say, during the audit) is completed, not duplicated.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from curation.config import Settings, config_hash
from curation.export.captions import caption_pairs
from curation.export.card import render_card
from curation.export.catalog import Catalog, load_catalog
from curation.export.checks import BuildConfig, Selection, rules, select_pairs
from curation.export.clip_csv import write_clip_csv
from curation.export.diff import VersionDiff, diff_pairs
from curation.export.parquet import pair_row, write_pairs
from curation.export.shards import ShardStats, shard_plan, write_shards
from curation.export.splits import SPLITS, split_of, unit_hash
from curation.export.stats import DatasetStats, dataset_stats
from curation.export.takedown import blocked_ids
from curation.export.versions import (
    CARD_FILE,
    DIFF_FILE,
    DROPPED_FILE,
    PAIRS_FILE,
    STATS_FILE,
    VERSION_RECORD,
    DatasetVersion,
    NoDataset,
    VersionReader,
    build_lock,
    latest_version,
    next_version,
    read_version,
    remove_stale_staging,
    set_latest,
    staged_version,
)
from curation.records import Pair
from curation.store import Store


def now() -> str:
    """UTC time to the microsecond, so versions built within one second still sort in order."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def image_location(store: Store, relative: str) -> str:
    """Where a trainer opens the image: an absolute local path, or the object-store URL."""
    path = store.join(relative)
    return str(store.local_path(path)) if store.is_local else store.fs.unstrip_protocol(path)


def inputs_hash(catalog: Catalog, selection: Selection, taken_down: list[str]) -> str:
    """What a version is written from besides its config: every kept pair in full, the ids each
    check dropped, the records of the videos it describes and the videos left out as not ready.
    Images are not read: a new image comes only from a keyframes run, which changes the pairs'
    provenance (its config hash) or their scores."""
    payload = {
        "kept": sorted((p.model_dump(mode="json") for p in selection.kept), key=lambda row: row["pair_id"]),
        "dropped": {reason: sorted(p.pair_id for p in pairs) for reason, pairs in selection.dropped.items()},
        "videos": {vid: inputs.video.model_dump(mode="json") for vid, inputs in sorted(catalog.videos.items())},
        "not_ready": dict(sorted(catalog.not_ready.items())),
        "taken_down": taken_down,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def build_version(
    store: Store, settings: Settings, version: str | None = None, takedown: Path | None = None
) -> DatasetVersion:
    """A new version, or the latest one when it was built from the same config and inputs and no
    version name was asked for. `takedown` None: no list (purged videos are blocked anyway)."""
    blocked = blocked_ids(store, takedown)
    config = BuildConfig.from_settings(settings, blocked)
    catalog = load_catalog(store)
    if not catalog.videos:
        waiting = f" ({len(catalog.not_ready)} not finished)" if catalog.not_ready else ""
        raise NoDataset(f"no curated video in {store.root}{waiting}: run `curate run` first")
    selection = select_pairs(catalog, config, image_exists=cache(lambda rel: store.exists(store.join(rel))))
    taken_down = sorted(blocked & (set(catalog.videos) | set(catalog.not_ready)))
    content = inputs_hash(catalog, selection, taken_down)
    shipped = caption_pairs(selection.kept, config.caption_unit)

    name = config.dataset
    with build_lock(store, name):
        remove_stale_staging(store, name)
        previous = latest_version(store, name)
        if version is None and previous and same_build(read_version(store, name, previous), config, content):
            return read_version(store, name, previous)
        version = version or next_version(store, name)
        old_pairs = VersionReader(store, name, previous).pair_videos() if previous else {}
        diff = diff_pairs(old_pairs, {p.pair_id: p.video_id for p in shipped}, previous, version)
        splits = {vid: split_of(vid, config.seed, config.val_fraction) for vid in catalog.videos}
        with staged_version(store, name, version) as folder:
            shards, located = write_split_files(store, folder, shipped, splits, config)
            stats = dataset_stats(catalog, selection, shipped, config.caption_unit, splits, shards, taken_down)
            record = DatasetVersion(
                name=name, version=version, path=store.dataset_dir(name, version), created_at=now(),
                previous=previous, config_hash=config_hash(config), inputs_hash=content,
                counts=version_counts(stats, diff), config=config.model_dump(mode="json"),
            )
            write_pair_tables(folder, shipped, selection.dropped, splits, located)
            write_description(folder, record, config, catalog, shipped, stats, diff)
        set_latest(store, name, version)
    return record


def same_build(latest: DatasetVersion, config: BuildConfig, content: str) -> bool:
    return latest.config_hash == config_hash(config) and latest.inputs_hash == content


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
        write_clip_csv(folder / f"{split}.csv", [(image_location(store, p.image_path), p) for p in pairs])
        plan = shard_plan(pairs, config.shard_size)
        located |= {p.pair_id: f"{split}/{name}" for name, chunk in plan.items() for p in chunk}
        shards[split] = write_shards(
            folder / "shards" / split, plan, split, read_image=lambda rel: store.read_bytes(store.join(rel))
        )
    return shards, located


def write_pair_tables(
    folder: Path, shipped: list[Pair], dropped: dict[str, list[Pair]], splits: dict[str, str], located: dict[str, str]
) -> None:
    kept = sorted(shipped, key=lambda p: (p.video_id, p.frame_time, p.text_start, p.pair_id))
    write_pairs(
        folder / PAIRS_FILE,
        [pair_row(p, split=splits[p.video_id], shard=located[p.pair_id]) for p in kept],
        ("split", "shard"),
    )
    write_pairs(
        folder / DROPPED_FILE,
        [pair_row(p, reason=reason) for reason, pairs in dropped.items() for p in pairs],
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
    shipped: list[Pair], stats: DatasetStats, diff: VersionDiff,
) -> None:
    (folder / STATS_FILE).write_text(stats.model_dump_json(indent=1))
    (folder / DIFF_FILE).write_text(diff.model_dump_json(indent=1))
    videos = [catalog.videos[vid].video for vid in sorted(catalog.videos)]
    card = render_card(record, config, rules(config), stats, videos, shipped, diff)
    (folder / CARD_FILE).write_text(card)
    (folder / VERSION_RECORD).write_text(record.model_dump_json(indent=1))
