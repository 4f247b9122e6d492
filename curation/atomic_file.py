"""A local file written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """A reader sees the old file or the new one, even with another process writing the same path."""
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}", suffix=".partial",
                                     delete=False, encoding="utf-8") as partial:
        partial.write(text)
    os.replace(partial.name, path)
