"""What triage saved, read back from the discovery reports and priced by the curated videos."""

from __future__ import annotations

import pytest

from curation.ingest.discover import Decision, Discovery, write_report
from curation.ingest.listing import Candidate
from curation.ingest.savings import funnel_drops, triage_savings
from curation.ingest.triage import TriageResult, format_bytes
from curation.records import StageStatus, VideoRef
from curation.stages import STAGES
from curation.store import Store
from curation.summary import summarize


def decision(video_id: str, reason: str, media_bytes: int | None, duration: float | None = 300.0) -> Decision:
    candidate = Candidate(video_id=video_id, url=f"http://127.0.0.1/{video_id}.mp4", duration=duration)
    return Decision(candidate, reason, TriageResult(reason or None, 2.5, media_bytes, 400.0))


@pytest.fixture()
def store(tmp_path) -> Store:
    store = Store(tmp_path / "data")
    write_report(store, Discovery([
        decision("kept-1", "", 9_000_000),
        decision("talk-1", "triage: 0 of 5 sampled frames look like histology, 1 needed", 4_000_000),
        decision("music-1", "triage: no narration: 0 word(s)", None, duration=None),  # probed: 400 s
        Decision(Candidate(video_id="cook-1", url="u"), "0 histology term(s) in the title and description"),
    ]))
    return store


def curate_one(store: Store, video_id: str, duration_s: float, stage_s: float) -> None:
    for name in STAGES:
        metrics = {"duration_s": duration_s} if name == "fetch" else {}
        store.set_status(video_id, name, StageStatus(state="done", duration_s=stage_s, metrics=metrics))


def test_rejections_are_priced_by_the_stated_estimate_before_any_video_is_curated(store):
    savings = triage_savings(store, estimated_rate=0.1)
    assert savings.rejected == ["music-1", "talk-1"], "only triage's own rejections count"
    assert (savings.bytes_saved, savings.sizes_unknown) == (4_000_000, 1)
    assert savings.video_seconds == 700.0, "the probed duration where the listing gave none"
    assert savings.rate_measured_on == 0 and savings.curation_seconds_saved == pytest.approx(70.0)
    assert savings.probing_seconds == 5.0
    assert "2 video(s) before download: 4.0 MB not downloaded (1 of unknown size)" in savings.describe()
    assert "estimated, no video curated yet" in savings.describe()


def test_curated_videos_measure_the_rate_and_the_run_summary_and_funnel_show_it(store):
    curate_one(store, "kept-1", duration_s=200.0, stage_s=10.0)
    store.set_status("half-1", "fetch", StageStatus(state="failed", duration_s=99.0, reason="gone"))
    rate = len(STAGES) * 10.0 / 200.0
    savings = triage_savings(store, estimated_rate=0.1)
    assert savings.rate_measured_on == 1 and savings.curation_s_per_video_s == pytest.approx(rate)
    assert savings.curation_seconds_saved == pytest.approx(700.0 * rate)

    summary = summarize(store, [VideoRef("kept-1", "u")], [])
    assert summary.triage == savings
    [drop] = funnel_drops(store)
    assert (drop["count"], drop["videos"]) == (2, ["music-1", "talk-1"])
    assert f"about {700.0 * rate:.0f} s of curation not spent" in drop["reason"]


def test_no_report_means_no_saving_and_no_funnel_row(tmp_path):
    store = Store(tmp_path / "empty")
    assert triage_savings(store, 0.1).describe() == "triage rejected no video before download"
    assert funnel_drops(store) == []


@pytest.mark.parametrize(("fmt", "duration", "size"), [
    ({"filesize": 1234, "tbr": 1000}, 60.0, 1234),
    ({"filesize_approx": 999}, 60.0, 999),
    ({"tbr": 800}, 60.0, 6_000_000),  # 800 kbit/s for a minute
    ({"tbr": 800}, None, None),
    ({"url": "file:///nowhere.mp4"}, 60.0, None),
])
def test_a_formats_size_is_given_or_estimated_from_its_bitrate(fmt, duration, size):
    assert format_bytes(fmt, duration) == size
