"""`curate classifier fit`: refit the stain model on the calibration set plus review verdicts.

The new model is a classifier version, `<data>/classifiers/stain-NNNN.json`; naming it in
`vision.stain_model` (CURATION_VISION__STAIN_MODEL) changes the labels stage's configuration, so
the next run re-labels every video and rebuilds its pairs, and its version names the model.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from curation.cli_options import ConfigOption, DataOption, open_store, user_errors

app = typer.Typer(help="Refit the histology filter on calibration frames and review labels.", no_args_is_help=True)
console = Console()
CLASSIFIERS_DIR = "classifiers"


@app.command("fit")
def fit_command(
    data: DataOption = None,
    config: ConfigOption = None,
    name: Annotated[str | None, typer.Option("--name", help="dataset whose review labels to learn from")] = None,
    version: Annotated[str | None, typer.Option("--version", help="dataset version (default: latest)")] = None,
    per_group: Annotated[int, typer.Option(help="calibration frames per real-image group")] = 100,
) -> None:
    """Fit, write `classifiers/stain-NNNN.json` under the data root, print held-out figures."""
    from curation.export.versions import NoDataset, VersionReader
    from curation.vision.refit import (
        calibration_set,
        fit_model,
        held_out_figures,
        held_out_frames,
        review_frames,
    )
    from curation.vision.stain import StainClassifier

    with user_errors():
        store, settings = open_store(data, config)
        try:
            reviewed = review_frames(VersionReader(store, name or settings.export.dataset, version))
        except NoDataset:
            reviewed = []
        folder = store.local_path(store.join(CLASSIFIERS_DIR))
        folder.mkdir(parents=True, exist_ok=True)
        number = len(list(folder.glob("stain-*.json"))) + 1
        model = fit_model(calibration_set(per_group), reviewed, version=f"fit-{number:04d}")
        path = folder / f"stain-{number:04d}.json"
        path.write_text(model.to_json())
        figures = held_out_figures(StainClassifier(settings.vision.histology_threshold, model), held_out_frames())
    table = Table(title=f"classifier stain/{model.version} on the held-out frames")
    for column in ("group", "kept as histology", "frames"):
        table.add_column(column, justify="right")
    for group, (kept, frames) in figures.kept_by_group.items():
        table.add_row(group, str(kept), str(frames))
    console.print(table)
    console.print(f"histology precision {figures.precision:.4f}, recall {figures.recall:.4f}; "
                  f"{len(reviewed)} review frames")
    console.print(f"wrote {path}; use it with CURATION_VISION__STAIN_MODEL={path}")
