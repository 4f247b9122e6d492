import json
import os
import tarfile
import threading
from collections import Counter

import duckdb
import pyarrow.parquet as pq
import pytest

from curation.config import Settings
from curation.export import build as build_module
from curation.export.build import build_version
from curation.export.clip_csv import METADATA
from curation.export.diff import diff_versions
from curation.export.versions import NoDataset, build_lock, latest_version, version_names
from curation.records import Keyframes, Pair
from curation.store import Store
from tests.export.conftest import PAIRS, VIDEOS, add_video, mixed_seed, read_stats, version_dir

DEFAULT_KEPT_SPECS = [0, 1, 5]  # PAIRS that pass every default check
COPIED_PAIRS = 2  # lec-d's keyframe 0 repeats lec-a's image: its two kept pairs are near-duplicates


def test_default_build_keeps_the_pairs_that_pass_every_check(store):
    record = build_version(store, Settings())
    stats = read_stats(store, record)
    assert record.counts["pairs"] == len(VIDEOS) * len(DEFAULT_KEPT_SPECS) - COPIED_PAIRS
    assert stats["candidate_pairs"] == len(VIDEOS) * len(PAIRS)
    assert sum(stats["dropped"].values()) + stats["pairs"] == stats["candidate_pairs"]
    assert stats["dropped"]["near_duplicate_image"] == COPIED_PAIRS
    assert stats["dropped"]["caption_words"] == len(VIDEOS)
    assert stats["videos_not_ready"] == ["lec-unfinished"]
    assert "lec-unfinished" not in stats["per_video"]


BASE = len(VIDEOS) * len(DEFAULT_KEPT_SPECS) - COPIED_PAIRS


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"export": {"min_histology_score": 0.2}}, BASE + len(VIDEOS)),  # "Look at this area..." (0.3) comes back
        ({"export": {"min_histology_score": 0.7}}, BASE - len(VIDEOS)),  # "Eosinophilic cytoplasm..." (0.6) goes
        ({"export": {"min_caption_words": 1}}, BASE + len(VIDEOS)),  # "Granuloma." comes back
        ({"export": {"min_caption_words": 1, "min_caption_chars": 11}}, BASE),  # ...but has 10 characters
        ({"export": {"text_types": ["med", "roi", "raw"]}}, BASE + len(VIDEOS)),
        ({"export": {"text_types": ["med"]}}, BASE - (len(VIDEOS) - 1)),  # lec-d's roi pair was a duplicate anyway
        ({"frames": {"dedup_hamming": -1}}, BASE + COPIED_PAIRS),
        ({"frames": {"dedup_hamming": 0}}, BASE),  # the copied image has the very same hash
        ({"export": {"allowed_channels": ["Derm Path"]}}, len(DEFAULT_KEPT_SPECS)),  # lec-c alone
        ({"export": {"allowed_licenses": ["cc0"]}}, 0),
        ({"export": {"max_video_duration_s": 60}}, 0),
    ],
)
def test_thresholds_change_the_counts(store, overrides, expected):
    assert build_version(store, Settings()).counts["pairs"] == BASE
    assert build_version(store, Settings(**overrides)).counts["pairs"] == expected


def test_channel_filter_drops_whole_videos(store):
    record = build_version(store, Settings(export={"allowed_channels": ["Derm Path"]}))
    table = pq.read_table(version_dir(store, record) / "pairs.parquet")
    assert set(table["video_id"].to_pylist()) == {"lec-c"}
    assert read_stats(store, record)["dropped"]["channel"] == (len(VIDEOS) - 1) * len(PAIRS)


def test_splits_are_by_video_and_stable_as_videos_arrive(store):
    seed = mixed_seed(VIDEOS, 0.5)
    settings = Settings(export={"val_fraction": 0.5, "seed": seed})
    first = build_version(store, settings)
    folder = version_dir(store, first)
    rows = pq.read_table(folder / "pairs.parquet").to_pylist()
    split_videos = {s: {r["video_id"] for r in rows if r["split"] == s} for s in ("train", "val")}
    assert split_videos["train"] and split_videos["val"]
    assert not split_videos["train"] & split_videos["val"]
    for split, videos in split_videos.items():
        csv_paths = (folder / f"{split}.csv").read_text().splitlines()[1:]
        assert {line.split("/videos/")[1].split("/")[0] for line in csv_paths} == videos

    add_video(store, "lec-e", 7)
    second = build_version(store, settings)
    rows = pq.read_table(version_dir(store, second) / "pairs.parquet").to_pylist()
    assert {r["video_id"]: r["split"] for r in rows if r["video_id"] != "lec-e"} == {
        v: s for s, videos in split_videos.items() for v in videos
    }


@pytest.mark.parametrize(("fraction", "empty"), [(0.0, "val"), (1.0, "train")])
def test_split_fraction_extremes(store, fraction, empty):
    record = build_version(store, Settings(export={"val_fraction": fraction}))
    assert record.counts[f"{empty}_pairs"] == 0
    assert (version_dir(store, record) / f"{empty}.csv").read_text() == "\t".join(["filepath", "title", *METADATA]) + "\n"
    assert json.loads((version_dir(store, record) / "shards" / empty / "sizes.json").read_text()) == {}


def test_versions_increment_and_latest_points_to_the_newest(store):
    first = build_version(store, Settings())
    second = build_version(store, Settings(export={"min_histology_score": 0.2}))
    named = build_version(store, Settings(), version="lower-threshold")
    assert (first.version, second.version) == ("v0001", "v0002")
    assert second.previous == "v0001" and named.previous == "v0002"
    assert latest_version(store, "histo-pairs") == "lower-threshold"
    assert version_names(store, "histo-pairs") == ["v0001", "v0002", "lower-threshold"]
    assert build_version(store, Settings(export={"min_histology_score": 0.3})).version == "v0003"
    with pytest.raises(ValueError, match="already exists"):
        build_version(store, Settings(), version="v0001")


def test_a_rebuild_from_the_same_inputs_and_settings_completes_the_latest_version(store):
    """A run killed during the audit left v0001 without its report: the re-run's build returns
    v0001 (and the flow audits it) instead of adding a copy as v0002."""
    first = build_version(store, Settings())
    again = build_version(store, Settings())
    assert again == first and version_names(store, "histo-pairs") == ["v0001"]
    assert len(first.inputs_hash) == 16 and first.config_hash

    pairs = store.read_jsonl(store.video_path("lec-a", "pairs.jsonl"), Pair)
    pairs[0].histology_score = 0.95  # same pair ids, other content
    store.write_jsonl(store.video_path("lec-a", "pairs.jsonl"), pairs)
    rescored = build_version(store, Settings())
    assert rescored.version == "v0002" and rescored.inputs_hash != first.inputs_hash
    assert rescored.config_hash == first.config_hash
    assert build_version(store, Settings(export={"seed": 1})).version == "v0003"  # same inputs, other settings


def test_a_build_killed_while_staging_is_cleaned_up_by_the_next(store):
    dataset = store.local_path(store.dataset_dir("histo-pairs"))
    left_behind = dataset / ".tmp-killed"
    (left_behind / "shards").mkdir(parents=True)
    (left_behind / "pairs.parquet").write_bytes(b"half written")
    record = build_version(store, Settings())
    assert sorted(p.name for p in dataset.iterdir()) == ["latest", record.version]


def test_a_build_waits_for_a_running_build_and_never_removes_its_staging(store):
    dataset = store.local_path(store.dataset_dir("histo-pairs"))
    running = build_lock(store, "histo-pairs")
    running.acquire()
    live = dataset / ".tmp-running"
    live.mkdir(parents=True)
    built = []
    waiting = threading.Thread(target=lambda: built.append(build_version(store, Settings())))
    waiting.start()
    waiting.join(timeout=3)
    try:
        assert waiting.is_alive() and live.is_dir() and not built
    finally:
        running.release()
    waiting.join(timeout=120)
    assert [r.version for r in built] == ["v0001"] and not live.exists()


def test_an_empty_data_root_gives_no_version(tmp_path):
    empty = Store(tmp_path / "empty")
    with pytest.raises(NoDataset, match=f"no curated video in {empty.root}"):
        build_version(empty, Settings())
    assert not (tmp_path / "empty" / "datasets").exists()


def test_diff_lists_added_and_removed_pairs(store, tmp_path):
    first = build_version(store, Settings())
    added = add_video(store, "lec-e", 7)
    takedown = tmp_path / "takedown.csv"
    takedown.write_text("video_id,reason\nlec-b,copyright claim\n")
    second = build_version(store, Settings(), takedown=takedown)

    old_ids = set(pq.read_table(version_dir(store, first) / "pairs.parquet")["pair_id"].to_pylist())
    removed = {pid for pid in old_ids if pid in {p.pair_id for p in store.read_jsonl(
        store.video_path("lec-b", "pairs.jsonl"), Pair)}}
    new_ids = set(pq.read_table(version_dir(store, second) / "pairs.parquet")["pair_id"].to_pylist())
    diff = json.loads((version_dir(store, second) / "diff.json").read_text())
    assert set(diff["removed"]) == removed and removed
    assert set(diff["added"]) == new_ids - old_ids
    assert set(diff["added"]) <= {p.pair_id for p in added}
    assert diff["videos_added"] == ["lec-e"] and diff["videos_removed"] == ["lec-b"]
    assert diff["unchanged"] == len(old_ids & new_ids)
    assert diff_versions(store, "histo-pairs", "v0001", "v0002").model_dump() == diff
    assert (second.counts["added"], second.counts["removed"]) == (len(diff["added"]), len(removed))
    with pytest.raises(ValueError, match="no version 'v0009'"):
        diff_versions(store, "histo-pairs", "v0001", "v0009")


def test_takedown_removes_the_video_from_every_output(store, tmp_path):
    takedown = tmp_path / "takedown.csv"
    takedown.write_text("# removed on request\nvideo_id,reason\nlec-b,uploader request\n")
    record = build_version(store, Settings(), takedown=takedown)
    folder = version_dir(store, record)
    assert "lec-b" not in pq.read_table(folder / "pairs.parquet")["video_id"].to_pylist()
    assert "/lec-b/" not in (folder / "train.csv").read_text() + (folder / "val.csv").read_text()
    for tar in folder.glob("shards/*/*.tar"):
        with tarfile.open(tar) as archive:
            videos = {json.load(archive.extractfile(m))["video_id"] for m in archive if m.name.endswith(".json")}
        assert "lec-b" not in videos
    stats = read_stats(store, record)
    assert stats["dropped"]["takedown"] == len(PAIRS)
    assert stats["videos_taken_down"] == ["lec-b"]


def test_parquet_loads_with_pyarrow_and_duckdb(store):
    record = build_version(store, Settings(export={"val_fraction": 0.5, "seed": mixed_seed(VIDEOS, 0.5)}))
    folder = version_dir(store, record)
    table = pq.read_table(folder / "pairs.parquet")
    assert table.num_rows == record.counts["pairs"]
    assert set(Pair.model_fields) | {"split", "shard"} == set(table.column_names)
    assert len(set(table["pair_id"].to_pylist())) == table.num_rows

    parquet = str(folder / "pairs.parquet")
    per_split = dict(duckdb.sql(f"select split, count(*) from '{parquet}' group by split").fetchall())
    assert per_split == {s: record.counts[f"{s}_pairs"] for s in ("train", "val") if record.counts[f"{s}_pairs"]}
    shared = duckdb.sql(
        f"select video_id from '{parquet}' group by video_id having count(distinct split) > 1"
    ).fetchall()
    assert shared == []
    models = duckdb.sql(f"select distinct json_extract_string(provenance, '$.asr_model') from '{parquet}'").fetchall()
    assert models == [("tiny.en",)]
    dropped = dict(duckdb.sql(
        f"select reason, count(*) from '{folder / 'dropped.parquet'}' group by reason"
    ).fetchall())
    assert dropped == {k: v for k, v in read_stats(store, record)["dropped"].items() if v}


def test_sizes_json_matches_the_tar_contents(store):
    record = build_version(store, Settings(export={"shard_size": 3}))
    folder = version_dir(store, record)
    captions = {r["pair_id"]: r for r in pq.read_table(folder / "pairs.parquet").to_pylist()}
    tars = sorted(folder.glob("shards/train/*.tar"))
    assert len(tars) == -(-record.counts["train_pairs"] // 3)
    sizes = json.loads((folder / "shards" / "train" / "sizes.json").read_text())
    assert set(sizes) == {t.name for t in tars}
    for tar in tars:
        with tarfile.open(tar) as archive:
            members = archive.getmembers()
            keys = {m.name.split(".")[0] for m in members}
            assert sizes[tar.name] == len(keys)
            assert sorted(m.name.split(".", 1)[1] for m in members) == sorted(["jpg", "json", "txt"] * len(keys))
            for key in keys:
                assert archive.extractfile(f"{key}.txt").read().decode() == captions[key]["caption"]
                assert captions[key]["shard"] == f"train/{tar.name}"
                image = archive.extractfile(f"{key}.jpg").read()
                assert image == store.read_bytes(store.join(captions[key]["image_path"]))
        shard_stats = json.loads(tar.with_name(tar.name.replace(".tar", "_stats.json")).read_text())
        assert shard_stats["count"] == sizes[tar.name]
    card = (folder / "card.md").read_text()
    assert f"shards/train/{{00000..{tars[-1].stem}}}.tar' --train-num-samples {record.counts['train_pairs']}" in card


def test_a_failed_build_leaves_no_version(store, monkeypatch):
    build_version(store, Settings())

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "render_card", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        build_version(store, Settings(export={"min_histology_score": 0.2}))
    dataset = store.local_path(store.dataset_dir("histo-pairs"))
    assert sorted(p.name for p in dataset.iterdir()) == ["latest", "v0001"]
    assert latest_version(store, "histo-pairs") == "v0001"
    monkeypatch.undo()
    assert build_version(store, Settings(export={"min_histology_score": 0.2})).version == "v0002"


def test_build_reads_the_store_and_changes_nothing_in_it(store):
    videos = store.local_path(store.join("videos"))
    before = {p: p.stat().st_mtime_ns for p in videos.rglob("*")}
    build_version(store, Settings(export={"min_histology_score": 0.1}))
    assert {p: p.stat().st_mtime_ns for p in videos.rglob("*")} == before


def test_repeated_pairs_are_counted_and_a_video_missing_an_image_is_left_out(store):
    pairs = store.read_jsonl(store.video_path("lec-a", "pairs.jsonl"), Pair)
    store.write_jsonl(store.video_path("lec-a", "pairs.jsonl"), [*pairs, pairs[0]])
    os.remove(store.local_path(store.video_path("lec-c", "frames", "0002.jpg")))
    stats = read_stats(store, build_version(store, Settings()))
    assert stats["dropped"]["duplicate_pair"] == 1
    assert "lec-c" not in stats["per_video"] and "lec-c" in stats["videos_not_ready"]
    assert "frames/0002.jpg" in stats["not_ready_reasons"]["lec-c"]


def test_a_build_reads_each_artifact_of_a_video_once(store, monkeypatch):
    reads = Counter()
    read_bytes = Store.read_bytes
    monkeypatch.setattr(Store, "read_bytes", lambda self, path: reads.update([path]) or read_bytes(self, path))
    build_version(store, Settings())
    artifacts = {path: n for path, n in reads.items() if "/videos/" in path and "/frames/" not in path}
    assert {path for path in artifacts if path.endswith("pairs.jsonl")} == {
        store.video_path(video_id, "pairs.jsonl") for video_id in VIDEOS
    }
    assert set(artifacts.values()) == {1}


def test_a_finished_video_without_its_artifacts_is_left_out_with_the_reason(store):
    os.remove(store.local_path(store.video_path("lec-b", "info.json")))
    record = build_version(store, Settings())
    stats = read_stats(store, record)
    assert "lec-b" not in stats["per_video"] and record.counts["videos"] == len(VIDEOS) - 1
    assert "info.json" in stats["not_ready_reasons"]["lec-b"]


def test_card_tells_counts_channels_licences_models_and_drops(store):
    record = build_version(store, Settings(export={"allowed_licenses": ["cc-by", "cc-by-sa"]}))
    card = (version_dir(store, record) / "card.md").read_text()
    stats = read_stats(store, record)
    assert f"# histo-pairs {record.version}" in card
    assert "| Derm Path | 1 | 3 |" in card
    assert f"| cc-by | {stats['videos']} | {stats['pairs']} |" in card
    assert "| prompt:med | med-v2 |" in card
    rule = "image within 10 bits (perceptual hash) of a sharper kept image"
    assert f"| near_duplicate_image | {rule} | {COPIED_PAIRS} |" in card
    assert "| license | licence not in ['cc-by', 'cc-by-sa'] | 0 |" in card
    assert record.config_hash in card
    assert "Not finished yet, so not included: lec-unfinished." in card
    assert f"{stats['pairs']} pairs added, 0 removed" in card


def test_builds_on_object_storage(store, tmp_path):
    import fsspec

    from curation.store import Store

    remote = f"memory://{tmp_path.name}"
    local_videos = str(store.local_path(store.join("videos")))
    fsspec.filesystem("memory").put(local_videos, f"/{tmp_path.name}/videos", recursive=True)
    bucket = Store(remote)
    first = build_version(bucket, Settings())
    second = build_version(bucket, Settings(export={"min_histology_score": 0.2}))
    assert version_names(bucket, "histo-pairs") == ["v0001", "v0002"]
    added = diff_versions(bucket, "histo-pairs", "v0001", "v0002").added
    assert len(added) == second.counts["pairs"] - first.counts["pairs"]
    csv_lines = bucket.read_bytes(f"{first.path}/train.csv").decode().splitlines()[1:]
    assert all(line.startswith(f"memory:///{tmp_path.name}/videos/") for line in csv_lines)


def test_a_copy_yields_only_to_an_image_that_stays_in_the_version(store, tmp_path):
    takedown = tmp_path / "takedown.csv"
    takedown.write_text("video_id,reason\nlec-a,uploader request\n")
    record = build_version(store, Settings(), takedown=takedown)
    stats = read_stats(store, record)
    assert stats["dropped"]["near_duplicate_image"] == 0
    assert stats["per_video"]["lec-d"]["pairs"] == len(DEFAULT_KEPT_SPECS)


def test_the_sharper_copy_is_kept(store):
    keyframes = store.read_model(store.video_path("lec-d", "keyframes.json"), Keyframes)
    keyframes.keyframes[0].sharpness = 500.0
    store.write_json(store.video_path("lec-d", "keyframes.json"), keyframes)
    stats = read_stats(store, build_version(store, Settings()))
    assert stats["per_video"]["lec-d"]["pairs"] == len(DEFAULT_KEPT_SPECS)
    assert stats["per_video"]["lec-a"]["pairs"] == len(DEFAULT_KEPT_SPECS) - COPIED_PAIRS
