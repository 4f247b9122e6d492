"""Process environment for running flows: offline, quiet, Prefect state inside the data folder.

Must run before Prefect is imported, since Prefect reads its settings at import time.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

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


def start_prefect_server() -> threading.Thread:
    """Boot Prefect's ephemeral server in the background, so that it starts while the flows and
    their libraries are imported (seconds each) instead of after; join the thread before the
    first flow runs, since a client that never reached the server gives up at once. A no-op thread
    when a server is configured (PREFECT_API_URL). Call after `prepare_environment`."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        server_start = threading.Thread(target=lambda: None)
    else:
        from prefect.server.api.server import SubprocessASGIServer

        # the same instance the flow's client asks for, so it finds this server running
        server_start = threading.Thread(target=SubprocessASGIServer().start, name="prefect-server-start")
    server_start.start()
    return server_start
