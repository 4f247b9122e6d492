"""`curate audit` and `curate review`: measure a dataset version, report on it, label its pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation.audit.calibration import CAPTION_PRECISION_TARGET
from curation.cli_options import ConfigOption, DataOption, open_store, user_errors

app = typer.Typer(help="Audit a dataset version and review its pairs.", no_args_is_help=True)

DatasetOption = Annotated[
    str | None, typer.Option("--dataset", help="dataset name (default: settings export.dataset)")
]
VersionOption = Annotated[
    str | None, typer.Option("--version", help="version (default: the dataset's latest)")
]


def open_version(data: str | None, dataset: str | None, version: str | None, config: Path | None):
    """(the version's reader, the settings); the data root and the version must exist."""
    from curation.export.versions import VersionReader

    store, settings = open_store(data, config, existing=True)
    return VersionReader(store, dataset or settings.export.dataset, version), settings


@app.command("audit")
def audit_command(
    data: DataOption = None,
    dataset: DatasetOption = None,
    version: VersionOption = None,
    config: ConfigOption = None,
    caption_target: Annotated[
        float, typer.Option("--caption-target", min=0.0, max=1.0,
                            help="caption precision the suggested text-confidence threshold must reach")
    ] = CAPTION_PRECISION_TARGET,
) -> None:
    """Measure a dataset version (audit.json), write its report.html, and print the report path."""
    from curation.audit.metrics import audit_version
    from curation.audit.report import write_report

    with user_errors():
        reader, settings = open_version(data, dataset, version, config)
        audit_version(reader, settings, caption_target)
        typer.echo(write_report(reader))


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
    uncertain: Annotated[
        int, typer.Option("--uncertain", min=0,
                          help="pairs dropped as uncertain text to mix in, unmarked, to calibrate the threshold")
    ] = 20,
) -> None:
    """Serve a review page for a stratified sample of a version's pairs (labels: review.sqlite)."""
    from curation.audit.review import open_session, serve

    with user_errors():
        reader, _ = open_version(data, dataset, version, config)
        session = open_session(reader, reviewer, sample, seed, uncertain)
    typer.echo(
        f"reviewing {len(session.sample)} pairs of {reader.name}/{reader.version} at "
        f"http://127.0.0.1:{port}/ (labels in {session.db_path}); Ctrl-C to stop"
    )
    serve(session, port=port)


