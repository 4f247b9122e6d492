"""Each demo lecture's page: served with the server's own address, read by yt-dlp as a video site's
page (title, description, tags, chapters, the media), and written to the truth; the manifest
points at the pages."""

import csv
from pathlib import Path

import pytest

from curation.demo.page import ORIGIN, page_url
from curation.demo.scripts import load_scripts
from curation.demo.truth import load_truth, truth_path

ROOT = Path(__file__).resolve().parents[2]
LECTURE = "lecture-02"


@pytest.fixture(scope="module")
def page_info(demo_server, tmp_path_factory):
    import yt_dlp

    options = {"quiet": True, "no_warnings": True, "noprogress": True,
               "outtmpl": str(tmp_path_factory.mktemp("page-download") / "%(id)s.%(ext)s")}
    with yt_dlp.YoutubeDL(options) as downloader:
        return downloader.extract_info(page_url(demo_server, LECTURE), download=True)


def test_yt_dlp_reads_title_description_tags_and_chapters_from_the_page(page_info, demo_dir):
    truth = load_truth(truth_path(demo_dir, LECTURE))
    script = next(s for s in load_scripts() if s.video_id == LECTURE)
    assert page_info["id"] == LECTURE and page_info["ext"] == "mp4"
    assert page_info["title"] == truth.page.title == script.title
    assert page_info["description"] == truth.page.description == script.page.description
    assert page_info["tags"] == truth.page.tags and "Ziehl-Neelsen" in page_info["tags"]
    chapters = [(c["title"], c["start_time"]) for c in page_info["chapters"]]
    assert chapters == [(c.title, c.start) for c in truth.page.chapters]
    assert len(chapters) >= 4 and chapters[0] == ("Introduction", 0)
    assert page_info["duration"] == pytest.approx(truth.duration_s, abs=0.1)


def test_chapters_start_where_their_slides_start(demo_dir):
    truth = load_truth(truth_path(demo_dir, LECTURE))
    starts = {s.start for s in truth.slides}
    assert all(c.start in starts and c.start < c.end for c in truth.page.chapters)
    assert truth.page.chapters[-1].end == truth.duration_s


def test_the_media_yt_dlp_takes_from_the_page_is_the_lecture(page_info, demo_dir):
    downloaded = Path(page_info["requested_downloads"][0]["filepath"])
    assert downloaded.read_bytes() == (demo_dir / f"{LECTURE}.mp4").read_bytes()


def test_the_server_writes_its_own_address_into_the_page(demo_server, demo_dir):
    import urllib.request

    stored = (demo_dir / f"{LECTURE}.html").read_text()
    with urllib.request.urlopen(page_url(demo_server, LECTURE), timeout=10) as reply:
        served, content_type = reply.read().decode(), reply.headers["Content-Type"]
    assert ORIGIN in stored and ORIGIN not in served
    assert f'"contentUrl": "{demo_server}/{LECTURE}.mp4"' in served
    assert content_type.startswith("text/html")


def test_the_demo_manifest_points_at_every_lectures_page():
    with (ROOT / "manifests" / "demo.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["video_id"] for r in rows] == [s.video_id for s in load_scripts()]
    assert all(r["url"] == page_url("http://127.0.0.1:8765", r["video_id"]) for r in rows)
