"""`curate`: the command line of the curation pipeline."""

from __future__ import annotations

import atexit
import gc
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from curation.cli_options import ConfigOption, DataOption, settings_and_root, user_errors
from curation.config import load_settings
from curation.ingest.manifest import read_manifests
from curation.runtime import no_flow_heartbeats, prepare_environment, start_prefect_server

app = typer.Typer(help="Curate narrated histopathology lectures into CLIP-ready image-text pairs.", no_args_is_help=True)
console = Console()
# The last exit handler: what a run leaves is freed with the process. Python's finalization would
# otherwise collect the whole heap of a run (Prefect's objects, the models') several times over,
# more than a second after the summary is printed.
atexit.register(gc.freeze)


def print_summary(summary) -> None:
    table = Table(title="videos")
    for column in ("video", "status", "keyframes", "histology", "candidate pairs", "pairs", "reason"):
        table.add_column(column)
    for v in summary.videos:
        state = "[green]ok" if v.ok else f"[red]failed at {v.failed_stage}"
        table.add_row(v.video_id, state, str(v.keyframes), str(v.histology_frames), str(v.candidate_pairs),
                      str(v.pairs), v.reason[:120])
    console.print(table)
    stages = Table(title="time per stage (stages that ran)")
    stages.add_column("stage")
    stages.add_column("runs", justify="right")
    stages.add_column("seconds", justify="right")
    for stage, seconds in summary.stage_seconds.items():
        stages.add_row(stage, str(summary.stages_run[stage]), f"{seconds:.1f}")
    console.print(stages)
    console.print(
        f"videos ok {summary.ok}, failed {summary.failed}; keyframes {summary.total('keyframes')}, "
        f"histology frames {summary.total('histology_frames')}, candidate pairs {summary.total('candidate_pairs')}"
        + (f", pairs in the dataset {summary.total('pairs')}" if summary.dataset_path else "")
    )
    if summary.triage:
        console.print(summary.triage.describe())
    if summary.dataset_path:
        console.print(f"dataset: [bold]{summary.dataset_path}")
    if summary.report_path:
        console.print(f"audit report: [bold]{summary.report_path}")


def run_curation(manifests: list[Path], data: str, settings, runner: str, videos_at_once: int,
                 workers: int, dask_address: str | None, verbose: bool, build_dataset: bool = True):
    """The curate flow with settings loaded once, before Prefect starts, so a bad one fails fast."""
    prepare_environment(data, verbose)
    server_start = start_prefect_server()  # boots while the flows and their libraries import
    from curation.ingest.manifest import read_manifests
    from curation.progress import stage_progress
    from curation.store import Store
    from flows.curate import curate
    from flows.runners import task_runner

    flow = curate.with_options(task_runner=task_runner(runner, videos_at_once, workers, dask_address))
    if runner == "thread":
        from curation.warmup import warm_up

        warm_up(settings)  # while the server boots
    server_start.join()
    with stage_progress(Store(data), read_manifests(manifests)), no_flow_heartbeats():
        return flow(
            manifests=[str(m) for m in manifests], data_root=data, settings=settings,
            build_dataset=build_dataset, videos_at_once=videos_at_once,
        )


@app.command()
def run(
    manifest: list[Path] = typer.Option(..., "--manifest", "-m", help="CSV of video_id,url", exists=True),
    data: DataOption = None,
    config: ConfigOption = None,
    runner: str = typer.Option("thread", help="thread | dask"),
    videos_at_once: int = typer.Option(2, "--videos-at-once", help="videos in flight at once"),
    workers: int = typer.Option(2, help="local Dask workers (with --runner dask)"),
    dask_address: str | None = typer.Option(None, help="scheduler address of an existing Dask cluster"),
    no_dataset: bool = typer.Option(False, "--no-dataset", help="curate videos only; build no dataset version"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="show Prefect's logs"),
) -> None:
    """Curate every video of the manifests, then build a dataset version and its audit."""
    with user_errors():
        settings, data = settings_and_root(data, config)
        read_manifests(manifest)  # a bad manifest fails before anything starts
    summary = run_curation(manifest, data, settings, runner, videos_at_once, workers, dask_address, verbose,
                           not no_dataset)
    print_summary(summary)
    if summary.failed and not summary.ok:
        raise typer.Exit(1)


@app.command()
def failures(
    manifest: list[Path] = typer.Option(..., "--manifest", "-m", help="CSV of video_id,url", exists=True),
    data: DataOption = None,
    config: ConfigOption = None,
    retry_manifest: Path | None = typer.Option(None, "--write", help="write the failed videos as a manifest"),
) -> None:
    """List the videos of the manifests that failed or did not finish, with the stage and reason."""
    from curation.export.versions import existing_store
    from curation.ingest.manifest import write_manifest
    from curation.summary import outcome_of

    with user_errors():
        _, data = settings_and_root(data, config)
        store = existing_store(data, "curated video")
        videos = read_manifests(manifest)
    failed = [(video, outcome) for video in videos if not (outcome := outcome_of(store, video.video_id)).ok]
    table = Table(title=f"{len(failed)} of {len(videos)} videos not finished")
    for column in ("video", "stage", "reason"):
        table.add_column(column)
    for video, outcome in failed:
        table.add_row(video.video_id, outcome.failed_stage, outcome.reason)
    console.print(table)
    if retry_manifest:
        write_manifest(retry_manifest, [video for video, _ in failed])
        console.print(f"retry them with: curate run --manifest {retry_manifest}")


@app.command()
def demo(
    data: str = typer.Option("data/demo", "--data"),
    manifest: Path = typer.Option(Path("manifests/demo.csv"), "--manifest", exists=True),
    port: int = typer.Option(8765, help="port of the local server the demo manifest points at"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Build the demo lectures, serve them locally and curate them like videos from a site."""
    from curation.demo.build import build_demo_lectures
    from curation.demo.server import serve_directory

    media = Path(data) / "demo-media"
    console.print(f"building demo lectures in {media} ...")
    build_demo_lectures(media)
    with serve_directory(media, port=port) as base_url:
        console.print(f"serving them at {base_url}")
        summary = run_curation([manifest], data, load_settings(), "thread", 2, 2, None, verbose)
    print_summary(summary)


@app.command()
def discover(
    source: list[str] = typer.Argument(..., help="channel/playlist URL, RSS feed, ytsearchN:QUERY, video ID, or a file of these"),
    out: Path = typer.Option(..., "--out", "-o", help="manifest to write with the new videos"),
    against: list[Path] = typer.Option([Path("manifests")], "--against", help="manifests (files or folders) whose videos are known"),
    takedown: Path | None = typer.Option(None, "--takedown", help="takedown list (default: manifests/takedown.csv if present)"),
    rescan: bool = typer.Option(False, "--rescan", help="consider again what earlier runs listed"),
    data: DataOption = None,
    config: ConfigOption = None,
) -> None:
    """Find new candidate videos: list the sources (metadata only), filter, and write a manifest."""
    from curation.ingest.discover import run_discovery
    from curation.store import Store

    with user_errors():
        settings, data = settings_and_root(data, config)
        result, report = run_discovery(source, Store(data), settings, against, out, takedown, rescan)
    table = Table(title=f"{len(result.kept)} new, {len(result.rejected)} rejected, {result.seen_before} seen before")
    for column in ("video", "title", "channel", "duration", "reason"):
        table.add_column(column)
    for d in result.decisions:
        c = d.candidate
        table.add_row(c.video_id, c.title[:60], c.channel[:30], "" if c.duration is None else f"{c.duration:.0f}",
                      d.reason or "[green]kept")
    console.print(table)
    for failed, why in result.failed_sources.items():
        console.print(f"[red]could not list[/] {failed}: {why}", highlight=False)
    console.print(f"triage: {result.triage_seconds:.1f} s, {result.bytes_not_downloaded / 1e6:.1f} MB not downloaded")
    console.print(f"report: {report}" + (f"\nmanifest: {out}" if result.kept else "\nno new video: no manifest written"))
    if result.failed_sources and not result.decisions:
        raise typer.Exit(1)


@app.command()
def serve(
    manifests_dir: Path = typer.Option(Path("manifests"), help="folder of manifest CSVs watched for new IDs"),
    data: DataOption = None,
    cron: str = typer.Option("0 * * * *", help="when to look for new videos"),
    name: str = typer.Option("scheduled-curation"),
) -> None:
    """Serve the curate flow as a scheduled Prefect deployment (incremental: only new work runs)."""
    with user_errors():
        _, data = settings_and_root(data, None)
    prepare_environment(data)
    from flows.schedule import serve_schedule

    serve_schedule(manifests_dir, data, cron, name)


def mount_subcommands() -> None:
    from curation.audit.cli import audit_command, review_command
    from curation.export.cli import app as dataset_app
    from curation.vision.cli import app as classifier_app

    app.add_typer(dataset_app, name="dataset", help="Build, list, compare and purge dataset versions.")
    app.add_typer(classifier_app, name="classifier", help="Refit the histology filter on review labels.")
    app.command("audit")(audit_command)
    app.command("review")(review_command)


mount_subcommands()
