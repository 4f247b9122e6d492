"""`curate dataset ...`: build, list, compare and purge dataset versions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from curation.cli_options import ConfigOption, DataOption, open_store, user_errors
from curation.config import with_overrides
from curation.export.diff import diff_versions
from curation.export.takedown import (
    DEFAULT_TAKEDOWN,
    purge_media,
    read_takedown,
    takedown_list,
    versions_containing,
)
from curation.export.versions import (
    NoDataset,
    VersionReader,
    latest_version,
    read_version,
    version_names,
)

app = typer.Typer(help="Dataset versions built from the stored per-video artifacts.", no_args_is_help=True)
console = Console()

NameOption = Annotated[str | None, typer.Option("--name", help="dataset name (default: settings export.dataset)")]


def given(**sections: dict) -> dict:
    """The command-line values that were given (None means not given), as nested settings."""
    found = {name: {k: v for k, v in values.items() if v is not None} for name, values in sections.items()}
    return {name: values for name, values in found.items() if values}


def split_commas(values: list[str] | None) -> list[str] | None:
    return [v.strip() for value in values for v in value.split(",") if v.strip()] if values else None


def counts_table(title: str, rows: dict[str, object]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in rows.items():
        table.add_row(key, str(value))
    return table


@app.command()
def build(
    data: DataOption = None,
    config: ConfigOption = None,
    name: NameOption = None,
    version: Annotated[str | None, typer.Option(help="version name (default: the next vNNNN)")] = None,
    min_histology_score: Annotated[float | None, typer.Option(help="drop pairs whose frame scored lower")] = None,
    min_caption_words: Annotated[int | None, typer.Option(help="drop shorter captions (words)")] = None,
    min_caption_chars: Annotated[int | None, typer.Option(help="drop shorter captions (characters)")] = None,
    text_types: Annotated[list[str] | None, typer.Option(help="med, roi, raw, slide; comma-separated")] = None,
    min_text_confidence: Annotated[
        float | None, typer.Option(help="drop spoken captions the text stage is less sure of")
    ] = None,
    caption_unit: Annotated[
        str | None, typer.Option(help="sentence: a pair per sentence; frame: a frame's sentences joined")
    ] = None,
    dedup_hamming: Annotated[int | None, typer.Option(help="near-duplicate distance; -1: off")] = None,
    val_fraction: Annotated[float | None, typer.Option(help="share of videos in the validation split")] = None,
    takedown: Annotated[Path | None, typer.Option(help=f"takedown list (default: {DEFAULT_TAKEDOWN} if present)")] = None,
) -> None:
    """Build a new dataset version from stored artifacts (no stage runs again)."""
    with user_errors():
        store, settings = open_store(data, config, existing=True, looked_for="curated video")
        settings = with_overrides(settings, given(
            export={"dataset": name, "min_histology_score": min_histology_score,
                    "min_caption_words": min_caption_words, "min_caption_chars": min_caption_chars,
                    "val_fraction": val_fraction, "text_types": split_commas(text_types),
                    "min_text_confidence": min_text_confidence, "caption_unit": caption_unit},
            frames={"dedup_hamming": dedup_hamming},
        ))
        from curation.export.build import build_version  # the stages' imports: not for every command

        latest = latest_version(store, settings.export.dataset)
        record = build_version(store, settings, version=version, takedown=takedown_list(takedown))
    if record.version == latest:
        console.print(f"{record.name} {record.version} was built from the same inputs and settings; no new version")
    stats = VersionReader(store, record.name, record.version).stats()
    console.print(counts_table(f"{record.name} {record.version}", record.counts))
    console.print(counts_table("pairs dropped", stats.dropped))
    console.print(f"previous version: {record.previous or 'none'}")
    console.print(f"dataset: {record.path}")


@app.command("list")
def list_versions(data: DataOption = None, config: ConfigOption = None, name: NameOption = None) -> None:
    """The versions of a dataset with their counts."""
    with user_errors():
        store, settings = open_store(data, config, existing=True)
        name = name or settings.export.dataset
        latest = latest_version(store, name)
        records = [read_version(store, name, v) for v in version_names(store, name)]
        if not records:
            raise NoDataset(f"no dataset in {store.root}: {name} has no versions under {store.dataset_dir(name)}")
    table = Table(title=name, caption="* latest", box=box.SIMPLE_HEAD)
    for column in ("version", "created (UTC)", "videos", "pairs", "train/val", "+/-", "previous"):
        table.add_column(column, no_wrap=True)
    for r in records:
        c = r.counts
        table.add_row(
            r.version + ("*" if r.version == latest else ""), r.created_at[:16].replace("T", " "),
            str(c["videos"]), str(c["pairs"]), f"{c['train_pairs']} / {c['val_pairs']}",
            f"+{c['added']} -{c['removed']}", r.previous or "",
        )
    console.print(table)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="older version")],
    new: Annotated[str, typer.Argument(help="newer version")],
    data: DataOption = None,
    config: ConfigOption = None,
    name: NameOption = None,
    ids: Annotated[bool, typer.Option("--ids", help="print the added and removed pair ids")] = False,
) -> None:
    """Pairs added and removed between two versions, by pair id."""
    with user_errors():
        store, settings = open_store(data, config, existing=True)
        result = diff_versions(store, name or settings.export.dataset, old, new)
    console.print(counts_table(f"{old} -> {new}", {
        "pairs added": len(result.added),
        "pairs removed": len(result.removed),
        "pairs unchanged": result.unchanged,
        "videos added": ", ".join(result.videos_added) or "-",
        "videos removed": ", ".join(result.videos_removed) or "-",
    }))
    if ids:
        for pair_id in result.added:
            console.print(f"+ {pair_id}")
        for pair_id in result.removed:
            console.print(f"- {pair_id}")


@app.command()
def purge(
    data: DataOption = None,
    config: ConfigOption = None,
    takedown: Annotated[Path, typer.Option(help="takedown list")] = DEFAULT_TAKEDOWN,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
) -> None:
    """Delete the stored content of every video on the takedown list, keeping a tombstone each."""
    with user_errors():
        store, settings = open_store(data, config, existing=True)
        reasons = read_takedown(takedown)
    if not reasons:
        console.print(f"{takedown} lists no videos; nothing to purge")
        return
    if not yes:
        typer.confirm(f"Delete everything stored for {len(reasons)} video(s) under {store.root}?", abort=True)
    table = Table("video", "reason", "files removed", title="purged")
    for video_id, reason in reasons.items():
        table.add_row(video_id, reason, str(len(purge_media(store, [video_id], {video_id: reason}))))
    console.print(table)
    name = settings.export.dataset
    for version, videos in versions_containing(store, name, set(reasons)).items():
        console.print(f"[yellow]{name} {version} still holds {', '.join(videos)}[/]: delete it to remove them")
