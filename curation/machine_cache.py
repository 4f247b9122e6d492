"""The folder for what is built once per machine and reused by every run: $XDG_CACHE_HOME/histo-curation."""

from __future__ import annotations

import os
from pathlib import Path


def machine_cache_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "histo-curation"
    cache.mkdir(parents=True, exist_ok=True)
    return cache
