"""The curate flow with the open_clip classifier configured: only the stages that read it run again."""

import json

from flows.curate import curate


def read(data, video_id: str, name: str):
    path = data / "videos" / video_id / name
    return [json.loads(line) for line in path.read_text().splitlines()] if name.endswith(".jsonl") \
        else json.loads(path.read_text())


def test_open_clip_in_the_flow_relabels_frames_and_keeps_asr_frames_and_text(
    curated_demo, curated_copy, tiny_clip, monkeypatch
):
    lectures = [v.video_id for v in curated_demo.summary.videos if v.ok]
    stain_pairs = {v: len(read(curated_copy, v, "pairs.jsonl")) for v in lectures}
    for key, value in {"BACKEND": "open_clip", "CLIP__ARCHITECTURE": str(tiny_clip.config),
                       "CLIP__CHECKPOINT": str(tiny_clip.checkpoint), "CLIP__BATCH_SIZE": "4"}.items():
        monkeypatch.setenv(f"CURATION_VISION__{key}", value)

    summary = curate(manifests=[str(curated_demo.manifest)], data_root=str(curated_copy), build_dataset=False)

    assert summary.stages_run["labels"] == summary.stages_run["pairs"] == len(lectures)
    assert summary.stages_run["asr"] == summary.stages_run["keyframes"] == summary.stages_run["text"] == 0
    for video_id in lectures:
        labels = read(curated_copy, video_id, "labels.json")
        assert labels["classifier_id"] == "open_clip/tiny-test-clip:tiny.pt"
        assert all(set(label["scores"]) >= {"histology", "slide_text"} for label in labels["labels"])
        pairs = read(curated_copy, video_id, "pairs.jsonl")
        assert len(pairs) == stain_pairs[video_id], "the same frames and sentences, scored by another model"
        assert {p["provenance"]["classifier"] for p in pairs} == {labels["classifier_id"]}
