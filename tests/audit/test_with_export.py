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
    assert pairs["aligned"]["count"] == stats["candidate_pairs"] == 9
    assert pairs["version"]["count"] == stats["pairs"] == audit["totals"]["pairs"]
    assert {d["reason"]: d["count"] for d in pairs["version"]["dropped"]} == stats["dropped"]
    assert audit["totals"]["images"] == stats["images"]
    assert audit["totals"]["by_split"] == {
        name: s["pairs"] for name, s in stats["splits"].items() if s["pairs"]
    }
