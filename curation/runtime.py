"""Process environment for running flows: offline, quiet, Prefect state inside the data folder.

Must run before Prefect is imported, since Prefect reads its settings at import time.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path


def prepare_environment(data_root: str, verbose: bool = False) -> None:
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if "://" not in data_root:
        os.environ.setdefault("PREFECT_HOME", str(Path(data_root).resolve() / ".prefect"))
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        logging.getLogger("prefect").setLevel(logging.CRITICAL)
