"""Text confidence, slide text and the caption unit of a version, on one synthetic lecture."""

from __future__ import annotations

import csv
import json
import tarfile

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from curation.cli import app
from curation.config import Settings
from curation.export.build import build_version
from curation.export.versions import VersionReader
from curation.records import Pair
from curation.store import Store
from tests.export.conftest import PairSpec, add_video, read_stats, version_dir

VIDEO = "lec-t"
ON_SLIDE = {"stains": ("Ziehl-Neelsen",), "magnification": "x100"}  # read off keyframe 0, so on each of its pairs
SPECS = (
    # keyframe 0: three spoken sentences, said out of stored order, one of them garbled
    PairSpec(0, "Ziehl-Neelsen stain shows acid-fast bacilli in red rods.", "med", 0.9, 0.9, start=4.0,
             uncertain=("rods",), **ON_SLIDE),
    PairSpec(0, "A needle-sustained show NASA's fast-assiliates in red.", "med", 0.9, 0.2, start=6.0, **ON_SLIDE),
    PairSpec(0, "Here you can see them inside the macrophages.", "roi", 0.9, 0.6, start=1.0,
             uncertain=("macrophages", "rods"), **ON_SLIDE),
    PairSpec(0, "Ziehl-Neelsen x100 acid-fast bacilli", "slide", 0.9, 0.1, start=0.0, **ON_SLIDE),
    # keyframe 1: one sentence, on the threshold, and one that fails two checks
    PairSpec(1, "Caseating granulomas replace the lymph node.", "med", 0.8, 0.5, start=2.0),
    PairSpec(1, "The nucleoplyal homophism is marked here.", "med", 0.3, 0.1, start=5.0),
)
SLIDE = 3


@pytest.fixture
def lecture(tmp_path) -> tuple[Store, list[Pair]]:
    store = Store(tmp_path / "data")
    return store, add_video(store, VIDEO, 5, pairs=SPECS)


def ids(pairs, *indices) -> set[str]:
    return {pairs[i].pair_id for i in indices}


def test_spoken_captions_below_the_confidence_threshold_are_dropped_with_their_reason(lecture):
    store, pairs = lecture
    record = build_version(store, Settings(export={"text_types": ["med", "roi", "slide"], "min_text_confidence": 0.5}))
    reader = VersionReader(store, record.name, record.version)
    assert {p.pair_id for p in reader.pairs()} == ids(pairs, 0, 2, 4, SLIDE)  # 0.5 itself is kept
    stats = read_stats(store, record)
    assert stats["dropped"]["uncertain_text"] == 1
    assert stats["dropped"]["histology_score"] == 1  # the first check it fails is charged
    assert {p.pair_id for p in reader.dropped("uncertain_text")} == ids(pairs, 1)
    assert "| uncertain_text | spoken caption with text confidence below 0.5 | 1 |" in (
        version_dir(store, record) / "card.md"
    ).read_text()

    lower = build_version(store, Settings(export={"text_types": ["med", "roi", "slide"], "min_text_confidence": 0.2}))
    assert {p.pair_id for p in VersionReader(store, lower.name, lower.version).pairs()} == ids(pairs, 0, 1, 2, 4, SLIDE)
    assert read_stats(store, lower)["dropped"]["uncertain_text"] == 0


def test_slide_text_enters_a_version_only_when_asked(lecture):
    store, pairs = lecture
    default = build_version(store, Settings())
    assert pairs[SLIDE].pair_id in {p.pair_id for p in VersionReader(store, default.name, default.version).dropped("text_type")}
    with_slide = build_version(store, Settings(export={"text_types": ["slide"]}))
    assert [p.pair_id for p in VersionReader(store, with_slide.name, with_slide.version).pairs()] == [pairs[SLIDE].pair_id]
    assert read_stats(store, with_slide)["text_types"] == {"slide": 1}


def test_every_output_carries_confidence_stains_and_magnification(lecture):
    store, pairs = lecture
    record = build_version(store, Settings(export={"val_fraction": 0.0}))
    folder = version_dir(store, record)
    rows = {r["pair_id"]: r for r in pq.read_table(folder / "pairs.parquet").to_pylist()}
    first = rows[pairs[0].pair_id]
    assert (first["text_confidence"], first["stains_on_slide"], first["magnification"]) == (0.9, ["Ziehl-Neelsen"], "x100")
    assert rows[pairs[4].pair_id]["magnification"] is None and rows[pairs[4].pair_id]["stains_on_slide"] == []

    with (folder / "train.csv").open(newline="") as fh:
        table = {row["pair_id"]: row for row in csv.DictReader(fh, delimiter="\t")}
    assert set(table) == set(rows)
    assert table[pairs[0].pair_id] | {"filepath": ""} == {
        "filepath": "", "title": pairs[0].caption, "pair_id": pairs[0].pair_id, "text_type": "med",
        "text_confidence": "0.900", "stains_on_slide": "Ziehl-Neelsen", "magnification": "x100",
    }
    assert (table[pairs[4].pair_id]["text_confidence"], table[pairs[4].pair_id]["magnification"]) == ("0.500", "")

    with tarfile.open(folder / "shards" / "train" / "00000.tar") as archive:
        sample = json.loads(archive.extractfile(f"{pairs[0].pair_id}.json").read())
    assert (sample["text_confidence"], sample["stains_on_slide"], sample["magnification"]) == (0.9, ["Ziehl-Neelsen"], "x100")


def test_frame_unit_joins_a_frames_kept_sentences_in_the_order_said(lecture):
    store, pairs = lecture
    settings = Settings(export={"text_types": ["med", "roi", "slide"], "caption_unit": "frame"})
    record = build_version(store, settings)
    shipped = {p.keyframe_index if p.text_type != "slide" else "slide": p
               for p in VersionReader(store, record.name, record.version).pairs()}
    assert set(shipped) == {0, 1, "slide"}
    joined = shipped[0]
    assert joined.caption == f"{pairs[2].caption} {pairs[0].caption}"  # said at 1 s, then 4 s; the garbled one dropped
    assert joined.text_type == "med" and joined.is_roi
    assert (joined.text_start, joined.text_end) == (pairs[2].text_start, pairs[0].text_end)
    assert joined.med_terms == [] and joined.stains_on_slide == ["Ziehl-Neelsen"]
    words = [len(pairs[i].caption.split()) for i in (2, 0)]
    assert joined.text_confidence == pytest.approx((0.6 * words[0] + 0.9 * words[1]) / sum(words), abs=1e-3)
    assert joined.pair_id == Pair.make_id(VIDEO, pairs[0].frame_time, joined.caption)
    assert joined.uncertain == ["macrophages", "rods"]  # each part's unsure words, in the order said, once
    assert shipped[1].pair_id == pairs[4].pair_id  # one sentence: the very same pair
    assert shipped["slide"].pair_id == pairs[SLIDE].pair_id  # slide text is never joined to speech

    stats = read_stats(store, record)
    assert (stats["caption_unit"], stats["sentence_pairs"], stats["pairs"]) == ("frame", 4, 3)
    assert sum(stats["dropped"].values()) + stats["sentence_pairs"] == stats["candidate_pairs"]
    card = (version_dir(store, record) / "card.md").read_text()
    assert "Caption unit: frame. The 4 sentence pairs" in card and "4 kept, joined into 3 frame captions" in card

    # both units come from the same stored pairs, and the joined ids are stable across builds
    sentence = build_version(store, Settings(export={"text_types": ["med", "roi", "slide"]}))
    assert sentence.counts["pairs"] == 4 and read_stats(store, sentence)["caption_unit"] == "sentence"
    again = build_version(store, settings.model_copy(deep=True), version="again")
    assert {p.pair_id for p in VersionReader(store, again.name, again.version).pairs()} == {
        p.pair_id for p in shipped.values()
    }


def test_the_command_line_sets_the_threshold_and_the_unit(lecture):
    store, pairs = lecture
    runner = CliRunner()
    built = runner.invoke(app, ["dataset", "build", "--data", str(store.root), "--min-text-confidence", "0.05",
                                "--caption-unit", "frame", "--text-types", "med,roi"])
    assert built.exit_code == 0, built.output
    reader = VersionReader(store, "histo-pairs")
    captions = {p.keyframe_index: p.caption for p in reader.pairs()}
    assert captions == {0: " ".join(pairs[i].caption for i in (2, 0, 1)), 1: pairs[4].caption}  # 0.05 keeps the garbled
    wrong = runner.invoke(app, ["dataset", "build", "--data", str(store.root), "--caption-unit", "slide"])
    assert wrong.exit_code == 1 and "caption_unit" in wrong.output and "Traceback" not in wrong.output
