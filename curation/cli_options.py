"""What every `curate` command shares: the --data and --config options, one way to turn them into
settings and a store, and user errors printed as one line instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from curation.config import Settings, load_settings
from curation.store import Store

DataOption = Annotated[
    str | None, typer.Option("--data", help="data root: a folder or an fsspec URL (default: settings data_root)")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML settings file", exists=True, dir_okay=False)]

errors = Console(stderr=True)


def settings_and_root(data: str | None, config: Path | None) -> tuple[Settings, str]:
    """The settings, and the data root: `--data` if given, else the settings' `data_root`."""
    settings = load_settings(config)
    return settings, data or settings.data_root


def open_store(
    data: str | None, config: Path | None, existing: bool = False, looked_for: str = "dataset"
) -> tuple[Store, Settings]:
    """`existing`: the data root must be there already (a command that reads never creates it);
    if not, the error says there is no `looked_for` in it."""
    from curation.export.versions import existing_store

    settings, root = settings_and_root(data, config)
    return (existing_store(root, looked_for) if existing else Store(root)), settings


@contextmanager
def user_errors() -> Iterator[None]:
    """A wrong argument, a missing file or dataset, invalid settings: one line and exit code 1."""
    try:
        yield
    except (ValueError, FileNotFoundError) as exc:
        errors.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
