"""`curate audit` and `curate review`: measure a dataset version, report on it, label its pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation.config import Settings, load_settings
from curation.store import Store

app = typer.Typer(help="Audit a dataset version and review its pairs.", no_args_is_help=True)

DataOption = Annotated[
    str | None, typer.Option("--data", help="data root (default: settings data_root)")
]
DatasetOption = Annotated[
    str | None, typer.Option("--dataset", help="dataset name (default: settings export.dataset)")
]
VersionOption = Annotated[
    str | None, typer.Option("--version", help="version (default: the dataset's latest)")
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML settings file", exists=True, dir_okay=False)
]


def open_version(
    data: str | None, dataset: str | None, version: str | None, config: Path | None
) -> tuple[Store, Settings, str, str]:
    from curation.audit.version import resolve_version

    settings = load_settings(config)
    store = Store(data or settings.data_root)
    name = dataset or settings.export.dataset
    return store, settings, name, resolve_version(store, name, version)


@app.command("audit")
def audit_command(
    data: DataOption = None,
    dataset: DatasetOption = None,
    version: VersionOption = None,
    config: ConfigOption = None,
) -> None:
    """Measure a dataset version (audit.json), write its report.html, and print the report path."""
    from curation.audit.metrics import audit_version
    from curation.audit.report import write_report

    store, settings, name, version = open_version(data, dataset, version, config)
    audit_version(store, name, version, settings)
    typer.echo(write_report(store, name, version))


@app.command("review")
def review_command(
    reviewer: Annotated[str, typer.Option("--reviewer", help="your name, stored with every label")],
    data: DataOption = None,
    dataset: DatasetOption = None,
    version: VersionOption = None,
    config: ConfigOption = None,
    port: Annotated[int, typer.Option("--port", help="port on 127.0.0.1")] = 8765,
    sample: Annotated[
        int, typer.Option("--sample", help="pairs to review, stratified by video and text type")
    ] = 200,
    seed: Annotated[
        int, typer.Option("--seed", help="sampling seed; the same seed gives the same sample")
    ] = 0,
) -> None:
    """Serve a review page for a stratified sample of a version's pairs (labels: review.sqlite)."""
    from curation.audit.review import open_session, serve

    store, _, name, version = open_version(data, dataset, version, config)
    session = open_session(store, name, version, reviewer, sample, seed)
    typer.echo(
        f"reviewing {len(session.sample)} pairs of {name}/{version} at http://127.0.0.1:{port}/ "
        f"(labels in {session.db_path}); Ctrl-C to stop"
    )
    serve(session, port=port)
