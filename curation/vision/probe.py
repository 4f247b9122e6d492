"""A linear probe on open_clip image embeddings, the open_clip backend's way to learn.

`curate classifier fit --backend open_clip` fits one on the embeddings of the same labelled set as
the stain model (calibration views plus review frames) and writes it as a classifier version,
`<data>/classifiers/clip-probe-NNNN.json`; `vision.clip.probe` naming it makes the open_clip
classifier score with it instead of the zero-shot prompts. A probe names the backbone whose
embeddings it was fitted on, and refuses any other.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curation.vision.protocol import MODEL_CLASSES
from curation.vision.softmax import SoftmaxModel, fit_parameters

PROBE_ENV = "CURATION_VISION__CLIP__PROBE"
# stronger than the stain model's: hundreds of embedding dimensions, a few thousand frames
PROBE_L2 = 1e-2


class ClipProbe(SoftmaxModel):
    backbone: str  # LoadedClip.model_id of the embeddings it was fitted on
    dimensions: int

    def check_backbone(self, model_id: str) -> None:
        if self.backbone != model_id:
            self._mismatch(f"the settings load {model_id}")

    def check_dimensions(self, dimensions: int) -> None:
        if self.dimensions != dimensions:
            self._mismatch(f"the loaded model's embeddings have {dimensions} dimensions")

    def _mismatch(self, what: str) -> None:
        raise ValueError(
            f"the probe {self.version} was fitted on {self.backbone} ({self.dimensions} dimensions), "
            f"{what}; refit it with `curate classifier fit --backend open_clip` or change {PROBE_ENV}"
        )


def fit_probe(
    embeddings: np.ndarray,
    targets: list[str],
    backbone: str,
    version: str,
    sample_weight: np.ndarray | None = None,
    fitted_on: dict | None = None,
) -> ClipProbe:
    return ClipProbe(
        version=version,
        backbone=backbone,
        dimensions=embeddings.shape[1],
        fitted_on=fitted_on or {},
        **fit_parameters(embeddings, targets, MODEL_CLASSES, PROBE_L2, sample_weight),
    )


def load_probe(path: str | Path) -> ClipProbe:
    path = Path(path).expanduser()
    if not path.is_file():
        raise RuntimeError(
            f"the open_clip probe {path} does not exist ({PROBE_ENV}); fit one with "
            "`curate classifier fit --backend open_clip`"
        )
    try:
        return ClipProbe.model_validate_json(path.read_text())
    except ValueError as exc:
        raise RuntimeError(f"{path} is not an open_clip probe ({PROBE_ENV}): {exc}") from exc
