"""The local lecture server: whole files, byte ranges, content types, concurrency, and yt-dlp."""

import threading
import urllib.error
import urllib.request

import pytest

from curation.demo.server import serve_directory

CONTENT = bytes(range(256)) * 4000  # 1,024,000 bytes


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    (folder / "clip.mp4").write_bytes(CONTENT)
    (folder / "clip.truth.json").write_text('{"video_id": "clip"}')
    with serve_directory(folder) as base_url:
        yield base_url


def fetch(url: str, byte_range: str | None = None, method: str = "GET"):
    headers = {"Range": byte_range} if byte_range else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers, method=method), timeout=10) as reply:
        return reply.status, reply.headers, reply.read()


def test_whole_file_with_video_content_type_and_range_support(served):
    status, headers, body = fetch(f"{served}/clip.mp4")
    assert (status, headers["Content-Type"], headers["Accept-Ranges"]) == (200, "video/mp4", "bytes")
    assert int(headers["Content-Length"]) == len(CONTENT) and body == CONTENT
    assert fetch(f"{served}/clip.truth.json")[1]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "byte_range, first, last",
    [("bytes=100-199", 100, 199), ("bytes=1000000-", 1000000, len(CONTENT) - 1),
     ("bytes=-24", len(CONTENT) - 24, len(CONTENT) - 1), ("bytes=1023990-2000000", 1023990, len(CONTENT) - 1)],
)
def test_byte_ranges_are_answered_with_partial_content(served, byte_range, first, last):
    status, headers, body = fetch(f"{served}/clip.mp4", byte_range)
    assert status == 206
    assert headers["Content-Range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert int(headers["Content-Length"]) == last - first + 1
    assert body == CONTENT[first: last + 1]


def test_head_of_a_range_sends_headers_only(served):
    status, headers, body = fetch(f"{served}/clip.mp4", "bytes=10-19", method="HEAD")
    assert (status, headers["Content-Length"], body) == (206, "10", b"")


@pytest.mark.parametrize("byte_range", ["bytes=2000000-", "bytes=50-10", "items=0-5"])
def test_unsatisfiable_range_is_refused(served, byte_range):
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{served}/clip.mp4", byte_range)
    assert refused.value.code == 416
    assert refused.value.headers["Content-Range"] == f"bytes */{len(CONTENT)}"


def test_missing_file_is_404(served):
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(f"{served}/no-such-lecture.mp4")
    assert missing.value.code == 404


def test_parallel_range_requests_all_get_their_own_bytes(served):
    results: dict[int, bytes] = {}

    def get(k: int) -> None:
        results[k] = fetch(f"{served}/clip.mp4", f"bytes={k * 100000}-{k * 100000 + 99999}")[2]

    threads = [threading.Thread(target=get, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[k] == CONTENT[k * 100000: (k + 1) * 100000] for k in range(8))


def test_server_stops_when_the_context_ends(tmp_path):
    with serve_directory(tmp_path) as base_url:
        assert fetch(f"{base_url}/")[0] == 200
    with pytest.raises(urllib.error.URLError):
        fetch(f"{base_url}/")


def test_serving_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        with serve_directory(tmp_path / "absent"):
            pass


def test_yt_dlp_downloads_a_demo_lecture_in_chunks(demo_dir, demo_server, tmp_path):
    import yt_dlp

    options = {"outtmpl": str(tmp_path / "%(id)s.%(ext)s"), "quiet": True, "noprogress": True,
               "http_chunk_size": 500_000}
    with yt_dlp.YoutubeDL(options) as downloader:
        info = downloader.extract_info(f"{demo_server}/lecture-01.mp4")
    assert info["id"] == "lecture-01" and info["ext"] == "mp4"
    assert (tmp_path / "lecture-01.mp4").read_bytes() == (demo_dir / "lecture-01.mp4").read_bytes()
