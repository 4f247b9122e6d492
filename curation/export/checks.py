"""Which stored pairs enter a dataset version, and why each of the others was left out.

Each check only answers keep or drop; `select_pairs` applies them in order, so a pair is
charged to the first check it fails, and keeps every dropped pair for the card and the audit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from curation.config import ExportSettings, Settings
from curation.export.catalog import Catalog
from curation.frames.dedup import find_cross_video_duplicates
from curation.records import Pair, Video


class BuildConfig(ExportSettings):
    """Everything that decides a version's content: the export settings, the near-duplicate
    distance of the frames settings and the blocked video ids. Its hash names the build."""

    dedup_hamming: int  # negative: no cross-video dedup
    takedown: list[str] = []

    @classmethod
    def from_settings(cls, settings: Settings, takedown: set[str]) -> BuildConfig:
        return cls(
            **settings.export.model_dump(),
            dedup_hamming=settings.frames.dedup_hamming,
            takedown=sorted(takedown),
        )


@dataclass(frozen=True)
class Check:
    name: str
    rule: str  # what a dropped pair failed, for the dataset card
    keep: Callable[[Pair, Video], bool]


def checks(config: BuildConfig) -> list[Check]:
    """The per-pair checks in the order they are applied; video checks first."""
    blocked = set(config.takedown)
    found = [Check("takedown", f"video on the takedown list or purged ({len(blocked)} ids)",
                   lambda p, v: v.video_id not in blocked)]
    if config.allowed_channels:
        found.append(Check("channel", f"channel not in {config.allowed_channels}",
                           lambda p, v: v.channel in config.allowed_channels))
    if config.allowed_licenses:
        found.append(Check("license", f"licence not in {config.allowed_licenses}",
                           lambda p, v: v.license in config.allowed_licenses))
    if config.max_video_duration_s is not None:
        found.append(Check("video_duration", f"video longer than {config.max_video_duration_s} s",
                           lambda p, v: v.duration_s <= config.max_video_duration_s))
    return [
        *found,
        Check("text_type", f"text type not in {config.text_types}", lambda p, v: p.text_type in config.text_types),
        Check("histology_score", f"histology score below {config.min_histology_score}",
              lambda p, v: p.histology_score >= config.min_histology_score),
        Check("caption_words", f"caption shorter than {config.min_caption_words} words",
              lambda p, v: len(p.caption.split()) >= config.min_caption_words),
        Check("caption_chars", f"caption shorter than {config.min_caption_chars} characters",
              lambda p, v: len(p.caption.strip()) >= config.min_caption_chars),
        # last, so the captions it drops are exactly those a lower threshold would bring back
        Check("uncertain_text", f"spoken caption with text confidence below {config.min_text_confidence}",
              lambda p, v: p.text_type == "slide" or p.text_confidence >= config.min_text_confidence),
    ]


def rules(config: BuildConfig) -> dict[str, str]:
    """Every way a pair can be left out of a version, by name, in the order they apply."""
    late = {
        "duplicate_pair": "a pair with the same id was already kept",
        "missing_image": "its image is missing from the store",
    }
    if config.dedup_hamming >= 0:
        late["near_duplicate_image"] = (
            f"image within {config.dedup_hamming} bits (perceptual hash) of a sharper kept image"
        )
    return {c.name: c.rule for c in checks(config)} | late


@dataclass
class Selection:
    kept: list[Pair] = field(default_factory=list)
    dropped: dict[str, list[Pair]] = field(default_factory=dict)  # check name -> pairs, in check order

    def drop(self, reason: str, pair: Pair) -> None:
        self.dropped.setdefault(reason, []).append(pair)

    @property
    def drop_counts(self) -> dict[str, int]:
        return {reason: len(pairs) for reason, pairs in self.dropped.items()}


def select_pairs(catalog: Catalog, config: BuildConfig, image_exists: Callable[[str], bool]) -> Selection:
    found = checks(config)
    selection = Selection(dropped={name: [] for name in rules(config)})
    seen: set[str] = set()
    for video_id in sorted(catalog.videos):
        inputs = catalog.videos[video_id]
        for pair in inputs.pairs:
            failed = next((c.name for c in found if not c.keep(pair, inputs.video)), None)
            if failed is None and pair.pair_id in seen:
                failed = "duplicate_pair"
            elif failed is None and not image_exists(pair.image_path):
                failed = "missing_image"
            if failed:
                selection.drop(failed, pair)
            else:
                seen.add(pair.pair_id)
                selection.kept.append(pair)
    if config.dedup_hamming >= 0:
        drop_near_duplicates(selection, catalog, config.dedup_hamming)
    return selection


def drop_near_duplicates(selection: Selection, catalog: Catalog, max_distance: int) -> None:
    """Only the images of kept pairs take part, so a copy never yields to an image left out."""
    kept_images = {(p.video_id, p.keyframe_index) for p in selection.kept}
    keyframes = {
        video_id: [kf for index, kf in inputs.keyframes.items() if (video_id, index) in kept_images]
        for video_id, inputs in catalog.videos.items()
    }
    duplicates = find_cross_video_duplicates(keyframes, max_distance)
    selection.dropped["near_duplicate_image"] = [
        p for p in selection.kept if (p.video_id, p.keyframe_index) in duplicates
    ]
    selection.kept = [p for p in selection.kept if (p.video_id, p.keyframe_index) not in duplicates]
