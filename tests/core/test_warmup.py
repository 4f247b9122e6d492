"""Loading ahead: what the stages will need is loaded once, on a thread, and a load that fails
does not stop the others. Checked in a fresh interpreter, where nothing is loaded yet."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = """
import json, sys
from yt_dlp.extractor import gen_extractor_classes
from curation.asr import _cached_transcriber
from curation.config import Settings, with_overrides
from curation.lexicon.lexicon import load_lexicon
from curation.vision.factory import _build
from curation.warmup import warm_up

def facts():
    return {"patterns": sum("_VALID_URL_RE" in ie.__dict__ for ie in gen_extractor_classes()),
            "models": _cached_transcriber.cache_info().currsize, "lexicons": load_lexicon.cache_info().currsize,
            "classifiers": _build.cache_info().currsize, "llm": "curation.text.llm" in sys.modules}

before = facts()
overrides = {"asr": {"model_path": sys.argv[1]}}  # a folder without a model
if sys.argv[2]:
    overrides["text"] = {"llm": {"base_url": sys.argv[2]}}
settings = with_overrides(Settings(), overrides)
thread = warm_up(settings)
again = warm_up(settings) is thread
thread.join(timeout=120)
print(json.dumps({"before": before, "after": facts(), "once": again, "done": not thread.is_alive()}))
"""


def warm_up_facts(model_folder, llm_url: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHECK, str(model_folder), llm_url],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_the_loads_are_made_once_per_settings_and_a_failing_one_stops_nothing(tmp_path):
    facts = warm_up_facts(tmp_path, "http://127.0.0.1:9/v1")
    before, after = facts["before"], facts["after"]
    assert facts["once"] and facts["done"]
    assert before == {"patterns": 0, "models": 0, "lexicons": 0, "classifiers": 0, "llm": False}
    assert after["patterns"] > 1000, "yt-dlp's URL patterns are compiled"
    assert after["models"] == 0, "the ASR model could not load"
    assert after["lexicons"] == 1 and after["classifiers"] == 1 and after["llm"], "the loads after it happened"


def test_without_an_llm_endpoint_the_llm_client_is_not_imported(tmp_path):
    """The offline refiner needs no openai: its import would be a second of every run's start-up."""
    facts = warm_up_facts(tmp_path, "")
    assert facts["done"] and facts["after"]["lexicons"] == 1
    assert not facts["after"]["llm"]
