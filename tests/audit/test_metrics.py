"""audit_version on the synthetic version: every figure checked against what the builder wrote."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curation.audit.metrics import audit_version
from curation.audit.review_labels import connect, save_label
from curation.config import Settings
from curation.export.versions import NoDataset, VersionReader
from curation.stages import STAGE_NAMES
from tests.audit.reference import wilson
from tests.audit.synthetic import DATASET, VERSION, VIDEOS


def kept_captions() -> list[tuple[str, list[str]]]:
    return [
        (spec["sentences"][s].text, spec["sentences"][s].med_terms)
        for spec in VIDEOS.values()
        for f, s in spec["aligned"]
        if (f, s) not in spec["filtered"]
    ]


def audited(store, settings: Settings | None = None) -> dict:
    """The audit of the synthetic version, as the JSON it writes."""
    return audit_version(VersionReader(store, DATASET, VERSION), settings or Settings()).model_dump(mode="json")


@pytest.fixture
def audit(store) -> dict:
    return audited(store)


def test_audit_json_is_written_and_matches_the_returned_figures(store, audit):
    written = store.read_json(f"{store.dataset_dir(DATASET, VERSION)}/audit.json")
    assert written["totals"] == audit["totals"]
    assert written["version"] == VERSION
    assert audit["totals"]["pairs"] == 7 and audit["totals"]["images"] == 4
    assert audit["totals"]["by_split"] == {"train": 4, "val": 3}
    assert audit["totals"]["hours"] == pytest.approx(
        sum(v["duration_s"] for v in VIDEOS.values()) / 3600
    )


def test_video_funnel_counts_and_charges_each_loss_to_its_first_failed_step(audit):
    steps = audit["funnel"]["videos"]
    assert [s["count"] for s in steps] == [6, 5, 4, 4, 3, 2]
    lost = {s["step"]: {d["reason"]: d["videos"] for d in s["dropped"]} for s in steps}
    assert lost["fetched"] == {
        "fetch failed: DownloadError: ERROR: [youtube] lec-c: Video unavailable": ["lec-c"]
    }
    assert lost["transcribed"] == {
        "asr failed: RuntimeError: the media file has no audio stream": ["lec-d"]
    }
    assert lost["frames"] == {}
    assert lost["histology"] == {"no keyframe classified as histology": ["lec-e"]}
    assert lost["pairs"] == {"taken down": ["lec-f"]}


def test_frame_and_pair_funnels(audit):
    frames = {s["step"]: s for s in audit["funnel"]["frames"]}
    assert [s["count"] for s in audit["funnel"]["frames"]] == [9, 8, 5, 5, 4]
    assert frames["unique"]["dropped"] == [{"reason": "near-duplicate of a kept frame", "count": 1}]
    assert {d["reason"]: d["count"] for d in frames["histology"]["dropped"]} == {
        "classified as slide_text": 1,
        "classified as person": 1,
        "classified as desktop": 1,
    }
    pairs = {s["step"]: s for s in audit["funnel"]["pairs"]}
    assert pairs["aligned"]["count"] == 10 and pairs["version"]["count"] == 7
    drops = {d["reason"]: d["count"] for d in pairs["version"]["dropped"]}
    assert drops["takedown"] == 1 and drops["caption_words"] == 1 and drops["histology_score"] == 0
    assert drops["uncertain_text"] == 1


def test_caption_distributions(audit):
    captions = kept_captions()
    words = [len(text.split()) for text, _ in captions]
    density = [len(terms) / len(text.split()) for text, terms in captions]
    measured = audit["captions"]
    assert measured["words"]["summary"]["n"] == 7
    assert measured["words"]["summary"]["median"] == float(np.median(words))
    assert measured["words"]["summary"]["max"] == max(words)
    assert measured["med_term_density"]["summary"]["mean"] == pytest.approx(np.mean(density))
    assert sum(measured["med_term_density"]["histogram"]["counts"]) == 7
    assert measured["without_med_term"] == sum(not terms for _, terms in captions) == 2
    assert measured["by_text_type"] == {"med": 5, "roi": 2}
    assert measured["top_med_terms"][0] == {"term": "melanocytes", "count": 3}


def test_score_distributions(audit):
    scores = audit["scores"]
    # one score per distinct image: lec-a 0.95 and 0.85, lec-b 0.9 and 0.7
    assert scores["histology_score"]["summary"]["mean"] == pytest.approx(
        (0.95 + 0.85 + 0.9 + 0.7) / 4
    )
    assert scores["stain"] == {"he": 3, "ihc": 1}
    by_type = scores["keyframe_histology_score_by_type"]
    assert {t: d["summary"]["n"] for t, d in by_type.items()} == {
        "histology": 5,
        "slide_text": 1,
        "person": 1,
        "desktop": 1,
    }


def test_duplicates_find_the_cross_video_repeat(audit):
    images = audit["duplicates"]["images"]
    assert images == {
        "images": 4,
        "max_distance": 10,
        "with_near_duplicate": 2,
        "redundant": 1,
        "redundant_rate": 0.25,
    }
    captions = audit["duplicates"]["captions"]
    assert captions["distinct_captions"] == 7 and captions["exact_duplicate_pairs"] == 0


def test_a_stricter_hamming_distance_finds_no_duplicate(store):
    settings = Settings()
    settings.frames.dedup_hamming = 6
    audit = audited(store, settings)
    assert audit["duplicates"]["images"]["redundant"] == 0


def test_per_video_table(audit):
    rows = {row["video_id"]: row for row in audit["videos"]}
    assert list(rows) == ["lec-a", "lec-b", "lec-c", "lec-d", "lec-e", "lec-f"]
    a = rows["lec-a"]
    assert (a["keyframes"], a["duplicate_keyframes"], a["histology_frames"]) == (3, 1, 2)
    assert (a["sentences"], a["med_sentences"], a["roi_sentences"]) == (7, 5, 1)
    assert (a["aligned_pairs"], a["pairs"], a["images"], a["split"]) == (6, 4, 2, "train")
    assert a["mean_histology_score"] == pytest.approx((0.95 * 2 + 0.85 * 2) / 4)
    assert a["stages"] == dict.fromkeys(STAGE_NAMES, "done")
    assert (
        rows["lec-c"]["stages"]["fetch"] == "failed" and rows["lec-c"]["stages"]["asr"] == "missing"
    )
    assert rows["lec-e"]["problem"] == "no keyframe classified as histology"
    assert rows["lec-a"]["problem"] == "" and rows["lec-a"]["mean_similarity"] is None
    # how surely Whisper heard the words, from the ASR stage's status; none where ASR never finished
    assert (a["mean_word_probability"], rows["lec-b"]["mean_word_probability"]) == (0.71, 0.9)
    assert rows["lec-c"]["mean_word_probability"] is None and rows["lec-d"]["mean_word_probability"] is None


def test_review_precision_and_impurities_enter_the_audit(store):
    pairs = VersionReader(store, DATASET, VERSION).pairs()
    conn = connect(store.local_path(f"{store.dataset_dir(DATASET, VERSION)}/review.sqlite"))
    verdicts = ["accept", "accept", "accept", "reject", "accept", "reject"]
    for pair, verdict in zip(pairs, verdicts):
        save_label(
            conn, pair.pair_id, verdict, ["arrows"] if verdict == "reject" else [], "dr-h"
        )
    save_label(
        conn, pairs[0].pair_id, "accept", ["text_or_logo", "person"], "dr-h"
    )  # relabel: latest wins
    save_label(conn, "not-in-this-version", "reject", [], "dr-h")
    conn.close()

    review = audited(store)["review"]
    assert review["available"] and review["labelled"] == 6 and review["accepted"] == 4
    assert review["precision"] == pytest.approx(4 / 6)
    assert review["precision_ci95"] == pytest.approx(wilson(4, 6))
    assert review["impurities"]["arrows"]["rate"] == pytest.approx(2 / 6)
    assert review["impurities"]["person"]["count"] == 1
    assert review["any_impurity"]["count"] == 3
    types = {p.pair_id: p.text_type for p in pairs[:6]}
    med = [v for p, v in zip(pairs, verdicts) if types[p.pair_id] == "med"]
    assert review["by_text_type"]["med"]["labelled"] == len(med)
    assert review["by_text_type"]["med"]["accepted"] == med.count("accept")


def test_similarity_is_recorded_as_not_computed_without_a_checkpoint(audit):
    assert audit["similarity"] == {
        "computed": False,
        "reason": "settings.vision.clip.checkpoint is not set",
    }


def test_similarity_per_pair_with_a_local_open_clip_checkpoint(store, tiny_clip):
    import open_clip
    import torch

    config, checkpoint = str(tiny_clip.config), str(tiny_clip.checkpoint)
    settings = Settings()
    settings.vision.clip.architecture, settings.vision.clip.checkpoint = config, checkpoint
    settings.vision.clip.batch_size, settings.vision.clip.device = 3, "cpu"
    similarity = audited(store, settings)["similarity"]
    pairs = VersionReader(store, DATASET, VERSION).pairs()
    assert similarity["computed"] and set(similarity["per_pair"]) == {p.pair_id for p in pairs}

    # every pair scored as if alone: batching and de-duplication must not mix embeddings up
    name = Path(config).stem
    model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=checkpoint)
    tokenizer = open_clip.get_tokenizer(name)
    model.eval()
    with torch.inference_mode():
        for pair in pairs:
            image = Image.open(
                io.BytesIO(store.read_bytes(store.join(pair.image_path)))
            ).convert("RGB")
            a = torch.nn.functional.normalize(model.encode_image(preprocess(image)[None]), dim=-1)
            b = torch.nn.functional.normalize(
                model.encode_text(tokenizer([pair.caption])), dim=-1
            )
            assert similarity["per_pair"][pair.pair_id] == pytest.approx(
                float(a @ b.T), abs=1e-5
            )
    assert len(set(similarity["per_pair"].values())) == 7


def test_a_missing_checkpoint_names_the_setting(store, tmp_path):
    settings = Settings()
    settings.vision.clip.checkpoint = str(tmp_path / "nowhere.pt")
    with pytest.raises(RuntimeError, match="CURATION_VISION__CLIP__CHECKPOINT"):
        audit_version(VersionReader(store, DATASET, VERSION), settings)


def test_latest_version_and_clear_errors(store):
    assert VersionReader(store, DATASET).version == VERSION
    with pytest.raises(NoDataset, match=f"no dataset in {store.root}: other-dataset has no published version"):
        VersionReader(store, "other-dataset")
    with pytest.raises(NoDataset, match="has no version 'v9999'"):
        VersionReader(store, DATASET, "v9999")


def test_a_malformed_artifact_is_named_in_the_error(store):
    store.write_text(store.video_path("lec-b", "labels.json"), '{"video_id": "lec-b"}')
    with pytest.raises(ValueError, match=r"lec-b/labels\.json is not a valid FrameLabels"):
        audit_version(VersionReader(store, DATASET, VERSION), Settings())
