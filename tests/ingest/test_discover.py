"""Discovery from a "channel" served on 127.0.0.1: an RSS feed that yt-dlp's generic extractor
lists, with real MP4s behind its items; nothing is downloaded."""

from __future__ import annotations

import csv
import io
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from typer.testing import CliRunner
from yt_dlp.utils.networking import std_headers

from curation.cli import app
from curation.config import Settings
from curation.demo.page import page_url
from curation.demo.server import RangeRequestHandler, serve_directory
from curation.demo.truth import load_truth, truth_path
from curation.ingest.discover import REPORT_COLUMNS, metadata_problem, run_discovery
from curation.ingest.discover_settings import DiscoverSettings, TriageSettings
from curation.ingest.listing import Candidate, list_source
from curation.ingest.manifest import read_manifest, write_manifest
from curation.lexicon.lexicon import load_lexicon
from curation.records import VideoRef
from curation.store import Store
from tests.demo.negatives import negative_corpus
from tests.fixtures.media import make_narrated_clip


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    description: str = ""
    duration: str | None = None  # itunes:duration


UPLOADS = [
    Item("lec-1", "Squamous cell carcinoma", "Keratin pearls on H&E", "00:05:00"),
    Item("cook-1", "Cooking pasta at home", "A quick dinner", "600"),
    Item("short-1", "Hepatocellular carcinoma in 30 seconds", "", "30"),
    Item("gone-1", "Granulomas in tuberculosis", "", "400"),
    Item("old-1", "Reed-Sternberg cells in Hodgkin lymphoma", "", "900"),
]
# these tests are about listing and metadata; test_triage probes real media
NO_TRIAGE = Settings(discover=DiscoverSettings(triage=TriageSettings(enabled=False)))
EXPECTED_REASONS = {
    "cook-1": "0 histology term(s) in the title and description, 1 needed",
    "short-1": "too short: 30 s < 120 s",
    "gone-1": "on the takedown list",
}


def tiny_mp4(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=pink:s=64x48:r=5", "-t", "3",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def write_feed(folder: Path, base_url: str, items: list[Item], name: str = "feed.xml") -> str:
    rows = []
    for item in items:
        duration = f"<itunes:duration>{item.duration}</itunes:duration>" if item.duration else ""
        media = f"{base_url}/{item.guid}.mp4"
        rows.append(
            f"<item><title>{escape(item.title)}</title><guid>{item.guid}</guid><link>{media}</link>"
            f"<description>{escape(item.description)}</description><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
            f'<enclosure url="{media}" type="video/mp4" length="1"/>{duration}</item>'
        )
    (folder / name).write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
        f"<channel><title>Pathology Lectures</title><link>{base_url}/</link><description>weekly</description>"
        + "".join(rows) + "</channel></rss>"
    )
    return f"{base_url}/{name}"


@pytest.fixture()
def channel(tmp_path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "site"
    folder.mkdir()
    for item in UPLOADS:
        tiny_mp4(folder / f"{item.guid}.mp4")
    with serve_directory(folder) as base_url:
        yield folder, base_url


@pytest.fixture()
def known(tmp_path) -> tuple[Path, Path]:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    write_manifest(manifests / "earlier.csv", [VideoRef("old-1", "http://example.invalid/old-1.mp4")])
    takedown = tmp_path / "takedown.csv"
    takedown.write_text("video_id,reason\ngone-1,uploader asked\n")
    return manifests, takedown


def test_the_generic_extractor_lists_a_feed_with_its_metadata(channel):
    folder, base_url = channel
    listed = list_source(write_feed(folder, base_url, UPLOADS[:2]))
    assert [(c.video_id, c.url, c.title, c.channel, c.duration, c.upload_date) for c in listed] == [
        ("lec-1", f"{base_url}/lec-1.mp4", "Squamous cell carcinoma", "Pathology Lectures", 300, "20261102"),
        ("cook-1", f"{base_url}/cook-1.mp4", "Cooking pasta at home", "Pathology Lectures", 600, "20261102"),
    ]
    assert listed[0].description == "Keratin pearls on H&E"


def test_a_watched_channel_yields_each_upload_once_with_a_reason_for_every_rejection(channel, known, tmp_path):
    folder, base_url = channel
    manifests, takedown = known
    feed = write_feed(folder, base_url, UPLOADS)
    store = Store(tmp_path / "data")
    out = manifests / "new.csv"

    result, report = run_discovery([feed], store, NO_TRIAGE, [manifests], out, takedown)
    assert [c.video_id for c in result.kept] == ["lec-1"]
    reasons = {d.candidate.video_id: d.reason for d in result.rejected}
    assert reasons == EXPECTED_REASONS | {"old-1": f"already in {manifests / 'earlier.csv'}:2"}
    assert read_manifest(out) == [VideoRef("lec-1", f"{base_url}/lec-1.mp4", "Squamous cell carcinoma", "Keratin pearls on H&E")]
    rows = list(csv.DictReader(io.StringIO(store.read_bytes(report).decode())))
    assert tuple(rows[0]) == REPORT_COLUMNS
    assert [(r["video_id"], r["kept"], r["reason"]) for r in rows] == [
        (i.guid, "yes" if i.guid == "lec-1" else "no", reasons.get(i.guid, "")) for i in UPLOADS
    ]
    assert (rows[1]["channel"], rows[1]["duration"], rows[1]["upload_date"]) == ("Pathology Lectures", "600.0", "20261102")

    out.unlink()
    again, _ = run_discovery([feed], store, NO_TRIAGE, [manifests], out, takedown)
    assert again.decisions == [] and again.seen_before == len(UPLOADS)
    assert not out.exists(), "a run with nothing new writes no (empty, unreadable) manifest"

    tiny_mp4(folder / "lec-2.mp4")
    feed = write_feed(folder, base_url, [Item("lec-2", "Langhans giant cells", "", "1200"), *UPLOADS])
    newer, _ = run_discovery([feed], store, NO_TRIAGE, [manifests], out, takedown)
    assert [c.video_id for c in newer.kept] == ["lec-2"] and newer.seen_before == len(UPLOADS)

    rescanned, _ = run_discovery([feed], store, NO_TRIAGE, [manifests], out, takedown, rescan=True)
    assert {d.candidate.video_id for d in rescanned.decisions} == {"lec-2", *(i.guid for i in UPLOADS)}


def test_a_source_list_file_mixes_feeds_and_videos_and_a_dead_source_is_recorded(channel, tmp_path):
    folder, base_url = channel
    feed = write_feed(folder, base_url, UPLOADS[:1])
    sources = tmp_path / "sources.txt"
    sources.write_text(f"# watched\n{feed}\n\n{base_url}/cook-1.mp4\n{base_url}/no-such-feed.xml\n{feed}\n")
    result, _ = run_discovery([str(sources)], Store(tmp_path / "data"), NO_TRIAGE, [], tmp_path / "out.csv")
    assert [(d.candidate.video_id, d.kept) for d in result.decisions] == [("lec-1", True), ("cook-1", False)]
    assert list(result.failed_sources) == [f"{base_url}/no-such-feed.xml"]
    assert "404" in result.failed_sources[f"{base_url}/no-such-feed.xml"]


@pytest.mark.parametrize(("change", "settings", "reason"), [
    ({"duration": 20000}, {}, "too long: 20000 s > 14400 s"),
    ({"language": "de"}, {}, "language 'de' is not one of en"),
    ({"language": "en-GB"}, {}, None),
    ({}, {"licences": ["Creative Commons Attribution license (reuse allowed)"]},
     "licence 'unknown' is not one of the accepted licences"),
    ({"channel": "Cooking Daily"}, {"channels_deny": ["cooking daily"]}, "channel 'Cooking Daily' is on the deny list"),
    ({"channel": "Other"}, {"channels_allow": ["Pathology Lectures"]}, "channel 'Other' is not on the allow list"),
    ({}, {"min_terms": 3}, "1 histology term(s) in the title and description, 3 needed (only squamous cell carcinoma)"),
    ({"duration": None}, {}, None),
])
def test_metadata_filters(change, settings, reason):
    base = {"video_id": "v", "url": "u", "title": "Squamous cell carcinoma", "channel": "Pathology Lectures",
            "duration": 600}
    candidate = Candidate(**base | change)
    assert metadata_problem(candidate, DiscoverSettings(**settings), load_lexicon()) == reason


def test_the_discover_command_triages_by_default_and_retries_what_it_could_not_probe(channel, known, tmp_path, monkeypatch):
    folder, base_url = channel
    manifests, takedown = known
    monkeypatch.chdir(tmp_path)
    feed = write_feed(folder, base_url, [*UPLOADS, Item("lost-1", "Langhans giant cells", "", "700")])  # no file
    out = tmp_path / "found.csv"
    command = ["discover", feed, "--out", str(out), "--against", str(manifests), "--takedown", str(takedown),
               "--data", str(tmp_path / "data")]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    # lec-1 passes the metadata filters, then triage finds it silent: it has no audio track
    assert "0 new, 6 rejected, 0 seen before" in result.output
    assert "no new video: no manifest written" in result.output and not out.exists()
    assert f"{(folder / 'lec-1.mp4').stat().st_size / 1e6:.1f} MB not downloaded" in result.output
    [report] = (tmp_path / "data" / "discovery" / "reports").glob("*.csv")
    rows = {row["video_id"]: row for row in csv.DictReader(report.open())}
    assert rows["lec-1"]["reason"] == "triage: no narration: the media has no audio track"
    assert int(rows["lec-1"]["media_bytes"]) == (folder / "lec-1.mp4").stat().st_size
    assert rows["cook-1"]["triage_s"] == "", "only candidates that pass the metadata filters are probed"
    assert rows["lost-1"]["reason"].startswith("triage: could not probe the media")

    again = CliRunner().invoke(app, command)
    assert "0 new, 1 rejected, 5 seen before" in again.output, again.output


@pytest.mark.slow
def test_the_discover_flow_curates_only_the_new_lecture(channel, known, tmp_path):
    from flows.discover import discover_videos

    folder, base_url = channel
    manifests, takedown = known
    make_narrated_clip(folder / "narrated-1.mp4")
    feed = write_feed(folder, base_url, [Item("narrated-1", "Squamous cell carcinoma with keratin pearls"), *UPLOADS[1:2]])
    data = tmp_path / "data"

    run = discover_videos(sources=[feed], manifests_dir=str(manifests), data_root=str(data),
                          takedown=str(takedown), build_dataset=False, settings=NO_TRIAGE)
    assert run.kept == ["narrated-1"] and list(run.rejected) == ["cook-1"]
    assert Path(run.manifest).parent == manifests
    assert run.curation.ok == 1 and run.curation.stages_run["asr"] == 1
    assert sorted(p.name for p in (data / "videos").iterdir()) == ["narrated-1"], "a rejected video is never fetched"

    again = discover_videos(sources=[feed], manifests_dir=str(manifests), data_root=str(data),
                            takedown=str(takedown), build_dataset=False, settings=NO_TRIAGE)
    assert again.kept == [] and again.manifest is None and again.curation is None and again.seen_before == 2


@dataclass
class Traffic:
    """What the demo server sent, by file: bytes (what a probe costs the site) and the User-Agents
    it was asked with."""

    sent: Counter = field(default_factory=Counter)
    agents: dict[str, set[str]] = field(default_factory=dict)


@pytest.fixture
def traffic(monkeypatch) -> Traffic:
    seen = Traffic()
    send = RangeRequestHandler.copyfile

    def counted(handler, source, outputfile):
        name = handler.path.lstrip("/")
        seen.agents.setdefault(name, set()).add(handler.headers.get("User-Agent", ""))

        class Counting:
            def write(self, chunk):
                seen.sent[name] += len(chunk)
                return outputfile.write(chunk)

        return send(handler, source, Counting())

    monkeypatch.setattr(RangeRequestHandler, "copyfile", counted)
    return seen


@pytest.mark.slow
def test_triage_keeps_a_narrated_lecture_and_rejects_the_negatives_without_downloading_them(demo_dir, traffic):
    from curation.ingest.triage import triage

    negatives = negative_corpus()
    with serve_directory(demo_dir) as lectures, serve_directory(negatives) as others:
        lecture = triage(page_url(lectures, "lecture-01"), Settings())
        verdicts = {name: triage(page_url(others, f"neg-{name}"), Settings())
                    for name in ("talking-head", "radiology", "music", "german")}
    for name in verdicts:  # these files are small (static slides): on a site's, the share is far less
        media = negatives / f"neg-{name}.mp4"
        assert 0 < traffic.sent[media.name] < 0.75 * media.stat().st_size, f"{name} is read in bounded ranges"
        # the media is asked for as yt-dlp would ask the site for it, not as FFmpeg ("Lavf/...")
        assert traffic.agents[media.name] == {std_headers["User-Agent"]}, name
    assert lecture.reason is None
    assert lecture.media_bytes == (demo_dir / "lecture-01.mp4").stat().st_size
    assert lecture.duration_s == pytest.approx(load_truth(truth_path(demo_dir, "lecture-01")).duration_s, abs=0.2)
    assert set(lecture.steps) == {"media", "speech", "frames", "narration"}
    for name in ("talking-head", "radiology"):
        assert verdicts[name].reason.startswith("triage: 0 of 5 sampled frames look like histology"), name
        assert "narration" not in verdicts[name].steps, "a video whose frames fail is not transcribed"
    assert verdicts["music"].reason.startswith("triage: no narration")
    # tiny.en hears little in German, or writes English-looking garbage: either way it is out
    assert verdicts["german"].reason.startswith(("triage: no narration", "triage: the narration is probably not English"))
    assert all(v.media_bytes == (negatives / f"neg-{n}.mp4").stat().st_size for n, v in verdicts.items())
