"""Build the configured classifier once per process."""

from __future__ import annotations

from functools import lru_cache

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

        return OpenClipClassifier(settings.clip, settings.histology_threshold)
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
