"""`report.html`: a self-contained page (inline images and figures, no network) of `audit.json`."""

from __future__ import annotations

import base64
import io
import random

from PIL import Image

from curation.audit import plots
from curation.audit.frames import FrameGrids, LabelledFrame, frame_grids
from curation.audit.highlight import caption_words
from curation.audit.pages import environment
from curation.audit.review_labels import CAPTION_LABELS, TAG_LABELS
from curation.export.versions import REPORT_FILE, VersionPair, VersionReader
from curation.records import Pair
from curation.stages import STAGE_NAMES
from curation.store import Store

THUMBNAIL_SIDE = 360
FRAME_THUMBNAIL_SIDE = 200
QUILT_IMPURITY_RATE = 0.78  # share of Quilt-1M images with an impurity in an independent 1% audit


def thumbnail_uri(store: Store, image_path: str, side: int = THUMBNAIL_SIDE) -> str:
    with Image.open(io.BytesIO(store.read_bytes(store.join(image_path)))) as image:
        image.draft("RGB", (side, side))  # JPEG decodes at the smallest 1/2^k scale still >= side
        thumb = image.convert("RGB")
    thumb.thumbnail((side, side))
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def pair_card(store: Store, pair: Pair, similarity: dict[str, float]) -> dict:
    return {
        **pair.model_dump(),
        "thumbnail": thumbnail_uri(store, pair.image_path),
        "words": caption_words(pair.caption, pair.med_terms, pair.uncertain),
        "heard_as": ""
        if pair.raw_caption.strip() == pair.caption.strip()
        else pair.raw_caption,
        "similarity": similarity.get(pair.pair_id),
    }


def frame_card(store: Store, frame: LabelledFrame) -> dict:
    label = frame.label
    return {
        "video_id": frame.video_id,
        "index": frame.keyframe.index,
        "frame_time": frame.keyframe.frame_time,
        "frame_type": label.label,
        "histology_score": label.histology_score,
        "stain": label.stain,
        "thumbnail": thumbnail_uri(store, frame.image_path, FRAME_THUMBNAIL_SIDE),
    }


def random_pairs(pairs: list[VersionPair], count: int, seed: int) -> list[VersionPair]:
    chosen = random.Random(seed).sample(range(len(pairs)), min(count, len(pairs)))
    return [pairs[i] for i in sorted(chosen)]


def lowest_scoring(
    pairs: list[VersionPair], similarity: dict[str, float], count: int
) -> tuple[list[VersionPair], str]:
    if similarity:
        ranked = sorted(pairs, key=lambda p: similarity[p.pair_id])
        return ranked[:count], "image-text similarity"
    ranked = sorted(pairs, key=lambda p: (p.histology_score, p.pair_id))
    return ranked[:count], "histology score"


def least_confident(pairs: list[VersionPair], count: int) -> list[VersionPair]:
    spoken = [p for p in pairs if p.text_type != "slide"]
    return sorted(spoken, key=lambda p: (p.text_confidence, p.pair_id))[:count]


def nearest_the_threshold(store: Store, dropped: list[Pair], count: int) -> list[Pair]:
    """The dropped uncertain captions a slightly lower threshold would bring back first; a pair
    dropped for its text was never checked for its image, so those without one are passed over."""
    ranked = sorted(dropped, key=lambda p: (-p.text_confidence, p.pair_id))
    return [p for p in ranked if store.exists(store.join(p.image_path))][:count]


def figures(audit: dict) -> dict[str, str]:
    funnel, captions, scores = audit["funnel"], audit["captions"], audit["scores"]
    found = {
        "videos": plots.funnel(funnel["videos"], "Videos"),
        "frames": plots.funnel(funnel["frames"], "Keyframes", plots.EOSIN),
        "words": plots.histogram(captions["words"]["histogram"], "Caption length", "words"),
        "density": plots.histogram(
            captions["med_term_density"]["histogram"],
            "Medical-term density",
            "medical terms per word",
            plots.HEMATOXYLIN,
        ),
        "histology": plots.histogram(
            scores["histology_score"]["histogram"],
            "Histology score of dataset images",
            "score",
            marker=audit["histology_threshold"],
        ),
        "by_type": plots.scores_by_type(
            scores["keyframe_histology_score_by_type"], audit["histology_threshold"]
        ),
    }
    if audit["similarity"]["computed"]:
        found["similarity"] = plots.histogram(
            audit["similarity"]["histogram"],
            "Image-text similarity",
            "cosine similarity",
            plots.HEMATOXYLIN,
        )
    if audit["review"]["available"]:
        found["impurities"] = plots.impurity_rates(
            {"any impurity": audit["review"]["any_impurity"], **audit["review"]["impurities"]},
            TAG_LABELS,
            QUILT_IMPURITY_RATE,
            "Quilt-1M, any impurity",
        )
    return found


def filtered_frames(reader: VersionReader, audit: dict, limit: int) -> FrameGrids:
    """The frames of the videos in the audit, taken-down ones left out: their content is gone."""
    taken_down = set(reader.stats().videos_taken_down)
    videos = [v["video_id"] for v in audit["videos"] if v["video_id"] not in taken_down]
    return frame_grids(reader.store, videos, audit["histology_threshold"], limit)


def write_report(
    reader: VersionReader, grid_size: int = 24, lowest_size: int = 12, seed: int = 0, frame_grid_size: int = 48
) -> str:
    """Render `report.html` in the version folder from its `audit.json`; returns its path."""
    store = reader.store
    audit = reader.audit().model_dump(mode="json")
    pairs = reader.pairs()
    similarity = audit["similarity"].get("per_pair", {})
    lowest, lowest_by = lowest_scoring(pairs, similarity, lowest_size)
    dropped = reader.dropped("uncertain_text")
    shown = {
        "random": random_pairs(pairs, grid_size, seed),
        "lowest": lowest,
        "dropped": nearest_the_threshold(store, dropped, lowest_size),
        "least": least_confident(pairs, lowest_size),
    }
    cards = {name: [pair_card(store, p, similarity) for p in group] for name, group in shown.items()}
    frames = filtered_frames(reader, audit, frame_grid_size)
    template = environment().get_template("report.html.j2")
    html = template.render(
        audit=audit,
        figures=figures(audit),
        random_cards=cards["random"],
        lowest_cards=cards["lowest"],
        lowest_by=lowest_by,
        uncertain_cards=cards["dropped"],
        uncertain_dropped=len(dropped),
        least_cards=cards["least"],
        kept_frames=[frame_card(store, f) for f in frames.kept],
        rejected_frames=[frame_card(store, f) for f in frames.rejected],
        frames_kept=frames.kept_total,
        frames_rejected=frames.rejected_total,
        caption_labels=CAPTION_LABELS,
        tag_labels=TAG_LABELS,
        quilt_impurity_rate=QUILT_IMPURITY_RATE,
        stage_names=STAGE_NAMES,
        seed=seed,
    )
    path = reader.path(REPORT_FILE)
    store.write_text(path, html)
    return path
