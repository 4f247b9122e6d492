"""Measure a dataset version and write `audit.json` into its folder."""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import fmean, median

from curation.audit.calibration import CAPTION_PRECISION_TARGET, suggest_threshold
from curation.audit.distributions import describe, describe_counts
from curation.audit.duplicates import image_phash, near_duplicate_images, repeated_captions
from curation.audit.funnel import VersionFacts, frame_funnel, pair_funnel, video_funnel
from curation.audit.precision import read_all_labels, summarize_labels
from curation.audit.record import Audit
from curation.audit.review_labels import Label, connect, read_labels
from curation.audit.videos import VideoFacts, collect_video_facts
from curation.config import Settings
from curation.export.stats import DatasetStats
from curation.export.versions import AUDIT_FILE, REVIEW_DB, VersionPair, VersionReader
from curation.ingest.savings import funnel_drops
from curation.records import Pair
from curation.stages import STAGE_NAMES
from curation.store import Store, utc_now

NO_REVIEW = {"available": False, "reason": "no review.sqlite in the version folder"}


def _videos_in_scope(stats: DatasetStats, pairs: list[VersionPair]) -> list[str]:
    """The videos the store held when the version was built."""
    known = {*stats.per_video, *stats.videos_not_ready, *stats.videos_taken_down}
    return sorted(known | {p.video_id for p in pairs})


def _unique_images(pairs: list[VersionPair]) -> list[VersionPair]:
    return list({p.image_path: p for p in pairs}.values())


def caption_metrics(pairs: list[VersionPair]) -> dict:
    words = [len(p.caption.split()) for p in pairs]
    density = [len(p.med_terms) / max(n, 1) for p, n in zip(pairs, words)]
    terms = Counter(t.lower() for p in pairs for t in p.med_terms)
    return {
        "words": describe_counts(words),
        "chars": describe([len(p.caption) for p in pairs], bins=20),
        "med_term_density": describe(density, bins=20, value_range=(0.0, 1.0)),
        "med_terms_per_caption": describe_counts([len(p.med_terms) for p in pairs]),
        "without_med_term": sum(not p.med_terms for p in pairs),
        "by_text_type": dict(Counter(p.text_type for p in pairs).most_common()),
        "text_confidence": describe(
            [p.text_confidence for p in pairs if p.text_type != "slide"], bins=20, value_range=(0.0, 1.0)
        ),
        "top_med_terms": [{"term": t, "count": n} for t, n in terms.most_common(30)],
    }


def score_metrics(pairs: list[VersionPair], facts: list[VideoFacts]) -> dict:
    images = _unique_images(pairs)
    by_type: dict[str, list[float]] = defaultdict(list)
    for f in facts:
        for frame_type, score in f.frame_labels:
            by_type[frame_type].append(score)
    return {
        "histology_score": describe(
            [p.histology_score for p in images], bins=20, value_range=(0.0, 1.0)
        ),
        "sharpness": describe([p.sharpness for p in images], bins=20),
        "stain": dict(Counter(p.stain for p in images).most_common()),
        "keyframe_histology_score_by_type": {
            t: describe(scores, bins=20, value_range=(0.0, 1.0))
            for t, scores in sorted(by_type.items())
        },
    }


def duplicate_metrics(store: Store, pairs: list[VersionPair], settings: Settings) -> dict:
    images = sorted({p.image_path for p in pairs})
    hashes = [image_phash(store.read_bytes(store.join(path))) for path in images]
    return {
        "images": near_duplicate_images(hashes, settings.frames.dedup_hamming),
        "captions": repeated_captions(pairs),
    }


def similarity_metrics(store: Store, pairs: list[VersionPair], settings: Settings) -> dict:
    if not settings.vision.clip.checkpoint:
        return {"computed": False, "reason": "settings.vision.clip.checkpoint is not set"}
    from curation.audit.image_text_similarity import pair_similarities

    scores, model_id = pair_similarities(store, pairs, settings.vision.clip)
    return {
        "computed": True,
        "model": model_id,
        **describe(list(scores.values()), bins=20),
        "per_pair": scores,
    }


def review_metrics(
    db_path: str, pairs: list[VersionPair], uncertain: list[Pair], current: float | None, target: float
) -> dict:
    """Precision of the version's pairs, by text type, and the threshold their caption verdicts (and
    those of reviewed `uncertain` pairs, which the version dropped) suggest."""
    labels = read_all_labels(db_path)
    ids = {p.pair_id for p in pairs}
    own = [lb for lb in labels if lb.pair_id in ids]
    if not own:
        return {"available": False, "reason": f"no labels for this version's pairs in {db_path}"}
    type_of = {p.pair_id: p.text_type for p in pairs}
    confidence = {p.pair_id: p.text_confidence for p in [*pairs, *uncertain] if p.text_type != "slide"}
    judged = [(confidence[lb.pair_id], lb.caption == "ok") for lb in labels
              if lb.caption is not None and lb.pair_id in confidence]
    return {
        "available": True,
        **summarize_labels(own),
        "by_text_type": {
            t: summarize_labels([lb for lb in own if type_of[lb.pair_id] == t]) for t in sorted(set(type_of.values()))
        },
        "calibration": suggest_threshold(judged, current, target),
    }


def _review_db(reader: VersionReader) -> str | None:
    store = reader.store
    return str(store.local_path(reader.path(REVIEW_DB))) if store.is_local and reader.has(REVIEW_DB) else None


def _problems(funnel_steps: list[VersionPair]) -> dict[str, str]:
    """Video id -> the reason the funnel lost it."""
    return {
        vid: drop["reason"]
        for step in funnel_steps
        for drop in step["dropped"]
        for vid in drop["videos"]
    }


def _labels_by_video(db_path: str | None, pairs: list[VersionPair]) -> dict[str, list[Label]]:
    found: dict[str, list[Label]] = defaultdict(list)
    if db_path is None:
        return found
    video_of = {p.pair_id: p.video_id for p in pairs}
    conn = connect(db_path)
    try:
        for label in read_labels(conn):
            if label.pair_id in video_of:
                found[video_of[label.pair_id]].append(label)
    finally:
        conn.close()
    return found


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None


def video_row(
    facts: VideoFacts,
    own: list[VersionPair],
    similarity: dict[str, float],
    problem: str,
    labels: list[Label],
) -> dict:
    review = summarize_labels(labels)
    return {
        "video_id": facts.video_id,
        "title": facts.title,
        "channel": facts.channel,
        "duration_s": facts.duration_s,
        "stages": {
            s: facts.statuses[s].state if s in facts.statuses else "missing" for s in STAGE_NAMES
        },
        "problem": problem,
        "keyframes": facts.keyframes,
        "duplicate_keyframes": facts.duplicate_keyframes,
        "histology_frames": facts.histology_frames,
        "mean_word_probability": facts.mean_word_probability,
        "sentences": facts.sentences,
        "med_sentences": facts.med_sentences,
        "roi_sentences": facts.roi_sentences,
        "aligned_pairs": facts.aligned_pairs,
        "pairs": len(own),
        "images": len({p.image_path for p in own}),
        "split": ",".join(sorted({p.split for p in own} - {""})),
        "mean_histology_score": _mean([p.histology_score for p in own]),
        "median_caption_words": median(len(p.caption.split()) for p in own) if own else None,
        "mean_similarity": _mean(
            [similarity[p.pair_id] for p in own if p.pair_id in similarity]
        ),
        "reviewed": review["labelled"],
        "precision": review["precision"],
    }


def video_table(
    facts: list[VideoFacts],
    pairs: list[VersionPair],
    similarity: dict,
    problems: dict[str, str],
    db_path: str | None,
) -> list[VersionPair]:
    by_video: dict[str, list[VersionPair]] = defaultdict(list)
    for p in pairs:
        by_video[p.video_id].append(p)
    labels = _labels_by_video(db_path, pairs)
    per_pair = similarity.get("per_pair", {})
    return [
        video_row(
            f, by_video[f.video_id], per_pair, problems.get(f.video_id, ""), labels[f.video_id]
        )
        for f in facts
    ]


def totals(facts: list[VideoFacts], pairs: list[VersionPair]) -> dict:
    hours = sum(f.duration_s for f in facts) / 3600
    images = len({p.image_path for p in pairs})
    return {
        "videos": len(facts),
        "hours": hours,
        "pairs": len(pairs),
        "images": images,
        "pairs_per_hour": len(pairs) / hours if hours else None,
        "images_per_hour": images / hours if hours else None,
        "by_split": dict(Counter(p.split or "unsplit" for p in pairs).most_common()),
    }


def audit_version(
    reader: VersionReader, settings: Settings, caption_target: float = CAPTION_PRECISION_TARGET
) -> Audit:
    """Every quality figure of a dataset version, written to `audit.json` in its folder;
    `caption_target` is the caption precision the suggested text-confidence threshold must reach."""
    store = reader.store
    pairs = reader.pairs()
    stats = reader.stats()
    threshold = settings.vision.histology_threshold
    text_threshold = reader.record().config.get("min_text_confidence")
    facts = [collect_video_facts(store, v, threshold) for v in _videos_in_scope(stats, pairs)]
    db_path = _review_db(reader)
    similarity = similarity_metrics(store, pairs, settings)
    version_facts = VersionFacts(Counter(p.video_id for p in pairs), frozenset(stats.videos_taken_down))
    videos_funnel = video_funnel(facts, version_facts)
    # triage rejections never reach a manifest, so they are drops before its first step
    videos_funnel[0]["dropped"] += funnel_drops(store, settings.discover.triage.estimated_curation_s_per_video_s)
    audit = Audit(
        dataset=reader.name,
        version=reader.version,
        audited_at=utc_now(),
        histology_threshold=threshold,
        min_text_confidence=text_threshold,
        totals=totals(facts, pairs),
        funnel={
            "videos": videos_funnel,
            "frames": frame_funnel(facts, threshold, len({(p.video_id, p.keyframe_index) for p in pairs})),
            "pairs": pair_funnel(
                facts, len(pairs), stats.dropped, stats.sentence_pairs if stats.caption_unit == "frame" else None
            ),
        },
        captions=caption_metrics(pairs),
        duplicates=duplicate_metrics(store, pairs, settings),
        scores=score_metrics(pairs, facts),
        similarity=similarity,
        videos=video_table(facts, pairs, similarity, _problems(videos_funnel), db_path),
        review=review_metrics(db_path, pairs, reader.dropped("uncertain_text"), text_threshold, caption_target)
        if db_path else NO_REVIEW,
    )
    store.write_json(reader.path(AUDIT_FILE), audit)
    return audit
