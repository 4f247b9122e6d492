"""The folder for what is built once per machine and reused by every run: $XDG_CACHE_HOME/histo-curation."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def machine_cache_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "histo-curation"
    cache.mkdir(parents=True, exist_ok=True)
    return cache


def write_atomically(path: Path, text: str) -> None:
    """Whole or not at all, even with another process writing the same file."""
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=path.name, suffix=".partial",
                                     delete=False, encoding="utf-8") as partial:
        partial.write(text)
    os.replace(partial.name, path)
