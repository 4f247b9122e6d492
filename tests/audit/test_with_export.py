"""The audit of a version built by the real export code (curation.export) from the artifacts."""

from __future__ import annotations

import shutil

from curation.audit.metrics import audit_version
from curation.config import Settings
from curation.export.build import build_version as export_version
from curation.export.versions import VersionReader


def test_audit_agrees_with_the_export_stats(store, tmp_path):
    shutil.rmtree(store.local_path(store.dataset_dir("histo-pairs")))
    takedown = tmp_path / "takedown.csv"
    takedown.write_text("video_id,reason\nlec-f,licence withdrawn\n")
    settings = Settings()
    record = export_version(store, settings, takedown=takedown)
    reader = VersionReader(store, record.name, record.version)
    stats = reader.stats().model_dump()

    audit = audit_version(reader, settings).model_dump(mode="json")
    videos = audit["funnel"]["videos"]
    assert videos[0]["count"] == 6
    assert videos[-1]["count"] == stats["videos"] == 2
    assert {d["reason"]: d["videos"] for d in videos[-1]["dropped"]} == {"taken down": ["lec-f"]}
    pairs = {s["step"]: s for s in audit["funnel"]["pairs"]}
    assert pairs["aligned"]["count"] == stats["candidate_pairs"] == 10
    assert stats["dropped"]["uncertain_text"] == 1  # the garbled sentence, by the real export checks
    assert pairs["version"]["count"] == stats["pairs"] == audit["totals"]["pairs"]
    assert {d["reason"]: d["count"] for d in pairs["version"]["dropped"]} == stats["dropped"]
    assert audit["totals"]["images"] == stats["images"]
    assert audit["totals"]["by_split"] == {
        name: s["pairs"] for name, s in stats["splits"].items() if s["pairs"]
    }


def test_a_version_captioned_by_frame_shows_the_joining_in_the_pair_funnel(store):
    shutil.rmtree(store.local_path(store.dataset_dir("histo-pairs")))
    settings = Settings(export={"caption_unit": "frame"})
    record = export_version(store, settings)
    reader = VersionReader(store, record.name, record.version)
    stats = reader.stats()
    assert stats.caption_unit == "frame" and stats.pairs < stats.sentence_pairs

    steps = {s["step"]: s for s in audit_version(reader, settings).model_dump(mode="json")["funnel"]["pairs"]}
    assert list(steps) == ["aligned", "filtered", "version"]
    assert steps["aligned"]["count"] - sum(stats.dropped.values()) == steps["filtered"]["count"] == stats.sentence_pairs
    assert {d["reason"]: d["count"] for d in steps["filtered"]["dropped"]} == stats.dropped
    assert steps["version"]["count"] == stats.pairs and steps["version"]["dropped"] == []
    joined = next(p for p in reader.pairs() if p.video_id == "lec-a" and p.keyframe_index == 1)
    assert joined.caption == "Here you can see the brown staining in this area. Melan-A highlights the intraepidermal melanocytes."
    assert joined.text_type == "med"  # MED when any of its sentences is
