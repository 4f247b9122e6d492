"""Fixtures of the text tests: word lists, an OpenAI-compatible test server, demo transcripts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from curation.config import Settings
from curation.records import Word
from curation.text import llm_client

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def words_of(*sentences: str, probability: float = 0.95, gap_s: float = 1.2) -> list[Word]:
    """Whisper-like words (no surrounding spaces) of the sentences, one per 0.3 s, a pause between sentences."""
    words, t = [], 0.0
    for sentence in sentences:
        for token in sentence.split():
            words.append(
                Word(start=round(t, 3), end=round(t + 0.25, 3), text=token, probability=probability)
            )
            t += 0.3
        t += gap_s
    return words


@dataclass
class Reply:
    content: str | None = None  # the assistant message; None with an error status
    status: int = 200
    delay_s: float = 0.0
    tokens: int = 30


def prompt_sentences(body: dict) -> list[str]:
    """The transcript sentences a prompt carries (the templates put them as a JSON list)."""
    user = body["messages"][-1]["content"]
    return json.loads(user.split("Transcript sentences (JSON list):", 1)[1].strip())


def prompt_suspects(body: dict) -> list[str]:
    user = body["messages"][-1]["content"]
    line = user.split("Suspect words (JSON list):", 1)[1].split("\n", 1)[0]
    return json.loads(line)


def is_correction_prompt(body: dict) -> bool:
    return "Suspect words" in body["messages"][-1]["content"]


@dataclass
class FakeLlm:
    """Answers chat completions with whatever `respond(request_body)` returns; counts requests."""

    base_url: str = ""
    respond: Callable[[dict], Reply] = lambda body: Reply("{}")
    bodies: list[dict] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return len(self.bodies)

    def handle(self, body: dict) -> Reply:
        with self.lock:
            self.bodies.append(body)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            reply = self.respond(body)
            time.sleep(reply.delay_s)
            return reply
        finally:
            with self.lock:
                self.in_flight -= 1


def _handler(fake: FakeLlm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply = fake.handle(body)
            if reply.status == 200:
                payload = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": reply.content},
                        }
                    ],
                    "usage": {
                        "prompt_tokens": reply.tokens - 10,
                        "completion_tokens": 10,
                        "total_tokens": reply.tokens,
                    },
                }
            else:
                payload = {
                    "error": {
                        "message": f"test server says {reply.status}",
                        "type": "test",
                        "code": None,
                    }
                }
            data = json.dumps(payload).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

    return Handler


@pytest.fixture
def llm_server(monkeypatch) -> Iterator[FakeLlm]:
    monkeypatch.setattr(llm_client, "RETRY_WAIT_S", 0.01)
    fake = FakeLlm()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def llm_settings(llm_server: FakeLlm, tmp_path) -> Settings:
    return Settings(
        data_root=str(tmp_path / "data"),
        text={
            "refiner": "llm",
            "chunk_sentences": 4,
            "llm": {
                "base_url": llm_server.base_url,
                "model": "test-model",
                "api_key": "test",
                "timeout_s": 10.0,
                "max_retries": 3,
                "concurrency": 2,
            },
        },
    )


@pytest.fixture(scope="session")
def demo_transcripts():
    """The demo lectures' ground truth and their frozen tiny.en transcripts (tests/text/fixtures/,
    written by `bench/text_quality.py --freeze`): the same words on every CPU."""
    from curation.demo.truth import load_truth
    from curation.records import Transcript

    lectures = [
        (load_truth(truth), Transcript.model_validate_json(truth.with_name(truth.name.replace(".truth.json", ".transcript.json")).read_text()))
        for truth in sorted(FIXTURES.glob("*.truth.json"))
    ]
    assert len(lectures) >= 3, f"the frozen demo transcripts are missing from {FIXTURES}"
    return lectures
