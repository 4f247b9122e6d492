"""Measure a dataset version and write `audit.json` into its folder."""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from statistics import fmean, median

from curation.audit.distributions import describe
from curation.audit.duplicates import image_phash, near_duplicate_images, repeated_captions
from curation.audit.funnel import frame_funnel, pair_funnel, video_funnel
from curation.audit.labels import connect, read_labels
from curation.audit.precision import review_summary, summarize_labels
from curation.audit.version import AUDIT_FILE, REVIEW_DB, read_pairs, read_stats, version_dir
from curation.audit.videos import VideoFacts, collect_video_facts
from curation.config import Settings
from curation.store import Store, utc_now

STAGES = ("fetch", "asr", "keyframes", "labels", "text", "pairs")


def _videos_in_scope(store: Store, stats: dict, pairs: list[dict]) -> list[str]:
    listed = stats.get("video_ids")
    if isinstance(listed, list):
        return sorted(set(listed) | {p["video_id"] for p in pairs})
    return sorted(set(store.video_ids()) | {p["video_id"] for p in pairs})


def _unique_images(pairs: list[dict]) -> list[dict]:
    return list({p["image_path"]: p for p in pairs}.values())


def caption_metrics(pairs: list[dict]) -> dict:
    words = [len(p["caption"].split()) for p in pairs]
    density = [len(p["med_terms"]) / max(n, 1) for p, n in zip(pairs, words)]
    terms = Counter(t.lower() for p in pairs for t in p["med_terms"])
    return {
        "words": describe(words, bins=20),
        "chars": describe([len(p["caption"]) for p in pairs], bins=20),
        "med_term_density": describe(density, bins=20, value_range=(0.0, 1.0)),
        "med_terms_per_caption": describe([len(p["med_terms"]) for p in pairs], bins=10),
        "without_med_term": sum(not p["med_terms"] for p in pairs),
        "by_text_type": dict(Counter(p["text_type"] for p in pairs).most_common()),
        "top_med_terms": terms.most_common(30),
    }


def score_metrics(pairs: list[dict], facts: list[VideoFacts]) -> dict:
    images = _unique_images(pairs)
    by_type: dict[str, list[float]] = defaultdict(list)
    for f in facts:
        for frame_type, score in f.frame_labels:
            by_type[frame_type].append(score)
    return {
        "histology_score": describe([p["histology_score"] for p in images], bins=20, value_range=(0.0, 1.0)),
        "sharpness": describe([p["sharpness"] for p in images], bins=20),
        "stain": dict(Counter(p["stain"] for p in images).most_common()),
        "keyframe_histology_score_by_type": {
            t: describe(scores, bins=20, value_range=(0.0, 1.0)) for t, scores in sorted(by_type.items())
        },
    }


def duplicate_metrics(store: Store, pairs: list[dict], settings: Settings) -> dict:
    images = sorted({p["image_path"] for p in pairs})
    hashes = [image_phash(store.read_bytes(store.join(path))) for path in images]
    return {
        "images": near_duplicate_images(hashes, settings.frames.dedup_hamming),
        "captions": repeated_captions(pairs),
    }


def similarity_metrics(store: Store, pairs: list[dict], settings: Settings) -> dict:
    if not settings.vision.clip.checkpoint:
        return {"computed": False, "reason": "settings.vision.clip.checkpoint is not set"}
    from curation.audit.similarity import pair_similarities

    scores, model_id = pair_similarities(store, pairs, settings.vision.clip)
    return {
        "computed": True,
        "model": model_id,
        **describe(list(scores.values()), bins=20, value_range=(-1.0, 1.0)),
        "per_pair": scores,
    }


def review_metrics(db_path: str, pairs: list[dict]) -> dict:
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for p in pairs:
        ids_by_type[p["text_type"]].append(p["pair_id"])
    summary = review_summary(db_path, [p["pair_id"] for p in pairs])
    if not summary["labelled"]:
        return {"available": False, "reason": f"no labels for this version's pairs in {db_path}"}
    summary["by_text_type"] = {t: review_summary(db_path, ids) for t, ids in sorted(ids_by_type.items())}
    return {"available": True, **summary}


def _review_db(store: Store, name: str, version: str) -> str | None:
    path = posixpath.join(version_dir(store, name, version), REVIEW_DB)
    return str(store.local_path(path)) if store.is_local and store.exists(path) else None


def video_table(facts: list[VideoFacts], pairs: list[dict], similarity: dict, db_path: str | None) -> list[dict]:
    by_video: dict[str, list[dict]] = defaultdict(list)
    for p in pairs:
        by_video[p["video_id"]].append(p)
    per_pair = similarity.get("per_pair", {})
    labels_by_video: dict[str, list] = defaultdict(list)
    if db_path:
        video_of = {p["pair_id"]: p["video_id"] for p in pairs}
        conn = connect(db_path)
        for label in read_labels(conn):
            if label.pair_id in video_of:
                labels_by_video[video_of[label.pair_id]].append(label)
        conn.close()
    rows = []
    for f in facts:
        own = by_video[f.video_id]
        sims = [per_pair[p["pair_id"]] for p in own if p["pair_id"] in per_pair]
        review = summarize_labels(labels_by_video[f.video_id])
        rows.append({
            "video_id": f.video_id,
            "title": f.title,
            "channel": f.channel,
            "duration_s": f.duration_s,
            "stages": {s: f.statuses[s].state if s in f.statuses else "missing" for s in STAGES},
            "failure": next((f.why_not_done(s) for s in STAGES if not f.done(s)), ""),
            "keyframes": f.keyframes,
            "duplicate_keyframes": f.duplicate_keyframes,
            "histology_frames": f.histology_frames,
            "sentences": f.sentences,
            "med_sentences": f.med_sentences,
            "roi_sentences": f.roi_sentences,
            "aligned_pairs": f.aligned_pairs,
            "pairs": len(own),
            "images": len({p["image_path"] for p in own}),
            "split": ",".join(sorted({p.get("split") or "" for p in own} - {""})),
            "mean_histology_score": fmean(p["histology_score"] for p in own) if own else None,
            "median_caption_words": median(len(p["caption"].split()) for p in own) if own else None,
            "mean_similarity": fmean(sims) if sims else None,
            "reviewed": review["labelled"],
            "precision": review["precision"],
        })
    return rows


def totals(facts: list[VideoFacts], pairs: list[dict]) -> dict:
    hours = sum(f.duration_s for f in facts) / 3600
    images = len({p["image_path"] for p in pairs})
    return {
        "videos": len(facts),
        "hours": hours,
        "pairs": len(pairs),
        "images": images,
        "pairs_per_hour": len(pairs) / hours if hours else None,
        "images_per_hour": images / hours if hours else None,
        "by_split": dict(Counter(p.get("split") or "unsplit" for p in pairs).most_common()),
    }


def audit_version(store: Store, name: str, version: str, settings: Settings) -> dict:
    """Every quality figure of a dataset version, written to `audit.json` in its folder."""
    folder = version_dir(store, name, version)
    pairs = read_pairs(store, name, version)
    stats = read_stats(store, name, version)
    threshold = settings.vision.histology_threshold
    facts = [collect_video_facts(store, v, threshold) for v in _videos_in_scope(store, stats, pairs)]
    db_path = _review_db(store, name, version)
    similarity = similarity_metrics(store, pairs, settings)
    audit = {
        "dataset": name,
        "version": version,
        "audited_at": utc_now(),
        "histology_threshold": threshold,
        "totals": totals(facts, pairs),
        "funnel": {
            "videos": video_funnel(facts, Counter(p["video_id"] for p in pairs)),
            "frames": frame_funnel(facts, threshold, len({p["image_path"] for p in pairs})),
            "pairs": pair_funnel(facts, len(pairs), stats.get("dropped", {})),
        },
        "captions": caption_metrics(pairs),
        "duplicates": duplicate_metrics(store, pairs, settings),
        "scores": score_metrics(pairs, facts),
        "similarity": similarity,
        "videos": video_table(facts, pairs, similarity, db_path),
        "review": review_metrics(db_path, pairs) if db_path else {
            "available": False, "reason": "no review.sqlite in the version folder"},
    }
    store.write_json(posixpath.join(folder, AUDIT_FILE), audit)
    return audit
