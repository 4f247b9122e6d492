"""`curate classifier fit`: refit the histology filter on the calibration set plus review verdicts.

The new model is a classifier version under `<data>/classifiers/`: `stain-NNNN.json` (the default
backend) or, with `--backend open_clip`, `clip-probe-NNNN.json`, a linear probe on the image
embeddings of the local checkpoint `vision.clip.checkpoint` names. Naming it in `vision.stain_model`
(CURATION_VISION__STAIN_MODEL) or `vision.clip.probe` (CURATION_VISION__CLIP__PROBE) changes the
labels stage's configuration, so the next run re-labels every video and rebuilds its pairs, and
its version names the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from curation.cli_options import ConfigOption, DataOption, open_store, user_errors

app = typer.Typer(help="Refit the histology filter on calibration frames and review labels.", no_args_is_help=True)
console = Console()
CLASSIFIERS_DIR = "classifiers"
FILE_PREFIX = {"stain": "stain", "open_clip": "clip-probe"}
SETTING = {"stain": "CURATION_VISION__STAIN_MODEL", "open_clip": "CURATION_VISION__CLIP__PROBE"}


@app.command("fit")
def fit_command(
    data: DataOption = None,
    config: ConfigOption = None,
    name: Annotated[str | None, typer.Option("--name", help="dataset whose review labels to learn from")] = None,
    version: Annotated[str | None, typer.Option("--version", help="dataset version (default: latest)")] = None,
    backend: Annotated[
        Literal["stain", "open_clip"],
        typer.Option(help="stain: the default model; open_clip: a linear probe on the embeddings of "
                          "vision.clip.checkpoint (batched, on CUDA with mixed precision when present)"),
    ] = "stain",
    per_group: Annotated[int, typer.Option(min=1, help="calibration frames per real-image group")] = 100,
    demo_per_class: Annotated[int, typer.Option(min=1, help="generated lecture frames per frame type")] = 60,
) -> None:
    """Fit, write `classifiers/<stain|clip-probe>-NNNN.json` under the data root, print held-out figures."""
    from curation.export.versions import NoDataset, VersionReader
    from curation.vision.refit import held_out_figures, held_out_frames, review_frames

    with user_errors():
        store, settings = open_store(data, config)
        try:
            reviewed = review_frames(VersionReader(store, name or settings.export.dataset, version))
        except NoDataset:
            reviewed = []
        folder = store.local_path(store.join(CLASSIFIERS_DIR))
        folder.mkdir(parents=True, exist_ok=True)
        prefix = FILE_PREFIX[backend]
        number = len(list(folder.glob(f"{prefix}-*.json"))) + 1
        path = folder / f"{prefix}-{number:04d}.json"
        fit = _fit_stain if backend == "stain" else _fit_clip_probe
        classifier = fit(settings, reviewed, per_group, demo_per_class, path, f"fit-{number:04d}")
        figures = held_out_figures(classifier, held_out_frames())
    table = Table(title=f"classifier {classifier.classifier_id} on the held-out frames")
    for column in ("group", "kept as histology", "frames"):
        table.add_column(column, justify="right")
    for group, (kept, frames) in figures.kept_by_group.items():
        table.add_row(group, str(kept), str(frames))
    console.print(table)
    console.print(f"histology precision {figures.precision:.4f}, recall {figures.recall:.4f}; "
                  f"{len(reviewed)} review frames")
    use = f"{SETTING[backend]}={path}"
    if backend == "open_clip":
        use = f"CURATION_VISION__BACKEND=open_clip (or ensemble) {use}"
    console.print(f"wrote {path}; use it with {use}")


def _fit_stain(settings, reviewed, per_group: int, demo_per_class: int, path: Path, version: str):
    from curation.vision.refit import calibration_set, fit_model
    from curation.vision.stain import StainClassifier

    model = fit_model(calibration_set(per_group, demo_per_class), reviewed, version)
    path.write_text(model.to_json())
    return StainClassifier(settings.vision.histology_threshold, model, tuple(settings.vision.keep_as_histology))


def _fit_clip_probe(settings, reviewed, per_group: int, demo_per_class: int, path: Path, version: str):
    from curation.vision.clip import ClipEmbedder, OpenClipClassifier, load_open_clip
    from curation.vision.refit import calibration_set, clip_embeddings, fit_clip_probe

    clip = settings.vision.clip
    try:
        embedder = ClipEmbedder(load_open_clip(clip), clip.batch_size)
    except RuntimeError as exc:  # no local weights, or weights open_clip cannot load
        raise ValueError(str(exc)) from exc
    measure = clip_embeddings(embedder, clip.checkpoint)
    probe = fit_clip_probe(calibration_set(per_group, demo_per_class, measure), reviewed, measure,
                           embedder.model_id, version)
    path.write_text(probe.to_json())
    return OpenClipClassifier(
        clip.model_copy(update={"probe": str(path)}), settings.vision.histology_threshold,
        tuple(settings.vision.keep_as_histology), embedder,
    )
