"""A local HTTP server for the demo lectures, so yt-dlp fetches them by URL as from a video site.

Serves one folder on 127.0.0.1 from a thread, answers HTTP Range requests (yt-dlp downloads in
ranges) with 206 Partial Content, and labels MP4 files video/mp4. A lecture's page names its media
by absolute URL, as a video site's does: the server writes its own origin into the page.

    python -m curation.demo.server DIR --port 8765
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from curation.demo.page import ORIGIN

HOST = "127.0.0.1"
BYTE_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """Static files with single byte-range support (RFC 9110, section 14)."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".mp4": "video/mp4", ".json": "application/json"}

    def send_head(self):
        self._remaining = None
        requested = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if path.suffix == ".html" and path.is_file():
            return self._page(path)
        if requested is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        span = self._byte_span(requested, size)
        if span is None:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        first, last = span
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        handle = path.open("rb")
        handle.seek(first)
        self._remaining = last - first + 1
        return handle

    def _page(self, path: Path) -> io.BytesIO:
        host = self.headers.get("Host") or f"{HOST}:{self.server.server_address[1]}"
        body = path.read_text(encoding="utf-8").replace(ORIGIN, f"http://{host}").encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self):
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source, outputfile):
        remaining = self._remaining
        if remaining is None:
            return super().copyfile(source, outputfile)
        while remaining > 0:
            chunk = source.read(min(remaining, 256 * 1024))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    @staticmethod
    def _byte_span(header: str, size: int) -> tuple[int, int] | None:
        """First and last byte of a `bytes=a-b` range, or None when it cannot be satisfied."""
        match = BYTE_RANGE.match(header.strip())
        if match is None or match.groups() == ("", ""):
            return None
        first, last = match.groups()
        if first == "":  # the final N bytes
            first, last = max(size - int(last), 0), size - 1
        else:
            first, last = int(first), min(int(last), size - 1) if last else size - 1
        return (first, last) if first <= last and first < size else None

    def log_message(self, format, *args):  # noqa: A002 - keeps test and demo output quiet
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up early (yt-dlp probing a file) is normal, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_directory(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (`port` 0 picks a free one); yields the base URL, no trailing slash."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"cannot serve {folder}: not a directory")
    server = QuietServer((HOST, port), partial(RangeRequestHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name=f"demo-server-{folder.name}", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a folder of demo lectures over HTTP on 127.0.0.1.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    with serve_directory(args.folder, args.port) as base_url:
        print(f"serving {args.folder} at {base_url}/  (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
