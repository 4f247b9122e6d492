"""Build the configured classifier once per process."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from curation.config import VisionSettings
from curation.vision.protocol import FrameClassifier


def get_classifier(settings: VisionSettings) -> FrameClassifier:
    """The classifier for `settings`; the same settings give the same (already loaded) object."""
    return _build(settings.model_dump_json())


@lru_cache(maxsize=4)
def _build(settings_json: str) -> FrameClassifier:
    settings = VisionSettings.model_validate_json(settings_json)
    if settings.backend == "stain":
        from curation.vision.stain import StainClassifier, load_model, model_path

        return StainClassifier(
            settings.histology_threshold,
            load_model(model_path(settings)),
            tuple(settings.keep_as_histology),
        )
    if settings.backend == "open_clip":
        from curation.vision.clip import OpenClipClassifier

        return OpenClipClassifier(
            settings.clip, settings.histology_threshold, tuple(settings.keep_as_histology)
        )
    from curation.vision.ensemble import EnsembleClassifier

    if not settings.ensemble_members:
        raise ValueError(
            "vision.ensemble_members is empty; name at least one of 'stain', 'open_clip'"
        )
    members = [
        get_classifier(settings.model_copy(update={"backend": member}))
        for member in settings.ensemble_members
    ]
    return EnsembleClassifier(members, settings.ensemble_rule, settings.histology_threshold)


def model_fingerprint(settings: VisionSettings) -> str:
    """The content of every fitted model file the settings use (the stain model, the open_clip
    probe), so refitting one re-runs the labels stage even under the same file name."""
    from curation.vision.stain import model_path

    backends = set(settings.ensemble_members) if settings.backend == "ensemble" else {settings.backend}
    files = {"stain": model_path(settings)} if "stain" in backends else {}
    if "open_clip" in backends and settings.clip.probe:
        files["probe"] = Path(settings.clip.probe).expanduser()
    parts = []
    for name, path in files.items():
        if not path.is_file():
            raise FileNotFoundError(
                f"vision names the {name} model {path}, which does not exist; run `curate classifier fit`"
            )
        parts.append(f"{name}:" + hashlib.sha256(path.read_bytes()).hexdigest()[:12])
    return ",".join(parts)
