"""The curate flow with the LLM refiner pointed at a local OpenAI-compatible server."""

import json
import re
from pathlib import Path

from curation.lexicon.terms import find_terms
from flows.curate import curate
from tests.text.conftest import Reply, is_correction_prompt, prompt_sentences

DEICTIC = re.compile(r"\b(here|you can see|this area)\b", re.IGNORECASE)


def extract_faithfully(body: dict) -> Reply:
    sentences = prompt_sentences(body)
    if is_correction_prompt(body):
        return Reply(json.dumps({"conditioned": {}, "unconditioned": {}}))
    return Reply(json.dumps({"med": [s for s in sentences if find_terms(s)],
                             "roi": [s for s in sentences if DEICTIC.search(s)]}))


def artifacts(data: Path) -> dict[str, list[str]]:
    return {v.name: sorted(p.name for p in v.iterdir()) for v in sorted((data / "videos").iterdir())}


def test_llm_refiner_in_the_flow_reuses_every_other_stage_and_reruns_for_free(
    curated_demo, curated_copy, llm_server, monkeypatch
):
    llm_server.respond = extract_faithfully
    for key, value in {"REFINER": "llm", "LLM__BASE_URL": llm_server.base_url, "LLM__MODEL": "test-model",
                       "LLM__API_KEY": "test"}.items():
        monkeypatch.setenv(f"CURATION_TEXT__{key}", value)
    before = artifacts(curated_copy)

    summary = curate(manifests=[str(curated_demo.manifest)], data_root=str(curated_copy), build_dataset=False)
    lectures = [v.video_id for v in summary.videos if v.ok]
    assert len(lectures) >= 3 and summary.stages_run["text"] == len(lectures)
    assert summary.stages_run["asr"] == summary.stages_run["keyframes"] == summary.stages_run["labels"] == 0
    assert llm_server.requests > 0 and summary.total("candidate_pairs") > 0
    assert artifacts(curated_copy) == before, "the same artifacts as the offline run"

    first_pair = json.loads((curated_copy / "videos" / lectures[0] / "pairs.jsonl").read_text().splitlines()[0])
    assert first_pair["provenance"]["refiner"] == "llm:test-model"
    assert {"prompt:asr_correction", "prompt:med_roi_extraction"} <= first_pair["provenance"].keys()

    sent = llm_server.requests
    again = curate(manifests=[str(curated_demo.manifest)], data_root=str(curated_copy), build_dataset=False)
    assert sum(again.stages_run.values()) == 0 and llm_server.requests == sent

    for video in lectures:
        (curated_copy / "videos" / video / "text.json").unlink()
    redone = curate(manifests=[str(curated_demo.manifest)], data_root=str(curated_copy), build_dataset=False)
    assert redone.stages_run["text"] == len(lectures) and llm_server.requests == sent, "answers come from the cache"
