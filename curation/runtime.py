"""Process environment for running flows: offline, quiet, Prefect state inside the data folder.

Must run before Prefect is imported, since Prefect reads its settings at import time.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from pathlib import Path


def prefect_home(data_root: Path) -> Path:
    """`<data root>/.prefect`, or a temporary folder while the data root does not exist.

    Prefect makes its home when it is imported, but not the folders above it: a home inside a
    data root that is not there yet warned "Failed to create the Prefect home directory". Making
    the data root here would leave an empty one behind a command that only reads. Prefect keeps
    nothing there that a later run needs (its ephemeral server's run history), so until the data
    root exists that history lives in a folder removed at exit.
    """
    if data_root.is_dir():
        return data_root / ".prefect"
    home = Path(tempfile.mkdtemp(prefix="curation-prefect-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return home


def prepare_environment(data_root: str, verbose: bool = False) -> None:
    """Sets environment variables only; creates no folder but the temporary one above."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if "://" not in data_root and "PREFECT_HOME" not in os.environ:
        os.environ["PREFECT_HOME"] = str(prefect_home(Path(data_root).resolve()))
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        logging.getLogger("prefect").setLevel(logging.CRITICAL)
