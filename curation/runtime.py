"""Process environment for running flows: offline, quiet, Prefect state inside the data folder.

Must run before Prefect is imported, since Prefect reads its settings at import time.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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


def start_prefect_server() -> Callable[[], None]:
    """Boot Prefect's local server now, in the background; returns a function that waits for it.

    A flow talks to the server from its first step, and booting it (a second Python process that
    imports Prefect's server and opens, or first creates, its database) takes seconds. Started
    right after `prepare_environment`, it comes up while the flow's modules import. It is the one
    server of the process (Prefect keeps it per process), so the dataset and audit flows of the run
    use it too. Wait for it before the first flow: until then a flow would find it not serving.
    Nothing starts when the settings name a server (`PREFECT_API_URL`).
    """

    def boot() -> None:
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            from prefect.server.api.server import SubprocessASGIServer

            SubprocessASGIServer().start()

    pool = ThreadPoolExecutor(1, thread_name_prefix="prefect-server")
    started = pool.submit(boot)
    pool.shutdown(wait=False)
    return started.result


def release_freed_memory() -> None:
    """Give the memory this process has freed back to the system.

    glibc keeps freed heap pages for reuse, so after a transcription (batches of beams over encoder
    states, hundreds of MB) the resident size would stay at its peak while the stages after it
    add their own. A no-op where the C library is not glibc.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
