"""Process environment for running flows: offline, quiet, Prefect state inside the data folder.

Must run before Prefect is imported, since Prefect reads its settings at import time.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from curation.prefect_database import seed_database

# a new Prefect database is built at its server's first start, slowly on a busy machine
EPHEMERAL_STARTUP_TIMEOUT_S = "180"


def prepare_environment(data_root: str, verbose: bool = False) -> None:
    """For commands that write to the data root: sets the environment and makes the root, so
    Prefect's home (and its database, built once per root) lives in `<data root>/.prefect`.
    Prefect creates its home at import without the folders above it, which warned "Failed to
    create the Prefect home directory" on every new root."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_TIMEOUT_S)
    if "://" not in data_root and "PREFECT_HOME" not in os.environ:
        root = Path(data_root).resolve()
        root.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(root / ".prefect")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        logging.getLogger("prefect").setLevel(logging.CRITICAL)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunServer:
    """Prefect's API server for one run, in its own process, started before anything imports
    Prefect, so that it boots (seconds of imports) while this process imports the flows: the
    flow's client would otherwise start Prefect's ephemeral server itself, after the imports.
    The process is the one Prefect starts for its ephemeral mode (uvicorn on its app, no UI,
    ephemeral services); this process points PREFECT_API_URL at it, and so do Dask workers it
    starts, which inherit the environment. It logs to `<PREFECT_HOME>/run-server.log`."""

    def __init__(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect"))
        home.mkdir(parents=True, exist_ok=True)
        server_env = seed_database(home)
        self.log = home / "run-server.log"
        # where Prefect is installed, found without importing it
        prefect_dir = Path(importlib.util.find_spec("prefect").submodule_search_locations[0])
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent),
                 "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "error", "--lifespan", "on"],
                env={k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
                | {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
                | server_env,
                stdout=log, stderr=subprocess.STDOUT,
            )
        os.environ["PREFECT_API_URL"] = self.url
        atexit.register(self.stop)

    def join(self) -> None:
        """Wait until the server answers; a server that exits or never answers is an error naming its log."""
        timeout_s = os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]
        deadline = time.monotonic() + float(timeout_s)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Prefect's server exited at start (code {self.process.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(
            f"Prefect's server did not answer within {timeout_s} s "
            f"(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS); see {self.log}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class ServerLeftToPrefect:
    """A server the user runs (PREFECT_API_URL is set), or Prefect already imported, which read
    its settings then: the flow's client finds its server, or starts its ephemeral one."""

    def join(self) -> None:
        return None


def start_prefect_server() -> RunServer | ServerLeftToPrefect:
    """Boot the run's Prefect server in its own process unless one is configured; join the
    result before the first flow runs. Call after `prepare_environment` and before Prefect is
    imported, since Prefect reads PREFECT_API_URL at import. One server per process: a second
    call returns the first call's, ready or not."""
    global _run_server
    if _run_server is None:
        if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
            return ServerLeftToPrefect()
        _run_server = RunServer()
    return _run_server


_run_server: RunServer | None = None


@contextmanager
def no_flow_heartbeats() -> Iterator[None]:
    """Flow runs started inside send no heartbeats. Heartbeats let a worker's server notice a
    crashed run; a run in this process ends with it. Prefect's heartbeat thread sleeps in whole
    seconds and each flow run waits for it at its end: up to a second per flow run (`curate run`
    runs three), whatever the run did."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
