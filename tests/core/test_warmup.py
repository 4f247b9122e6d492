"""Loading ahead: what the stages will need is loaded once, on a thread, and a load that fails
does not stop the others."""

from __future__ import annotations

import sys

from yt_dlp.extractor import gen_extractor_classes

from curation.asr import _cached_transcriber
from curation.config import Settings, with_overrides
from curation.lexicon.lexicon import load_lexicon
from curation.vision.factory import _build
from curation.warmup import warm_up


def test_the_loads_are_made_once_per_settings_and_a_failing_one_stops_nothing(tmp_path):
    # a model folder without a model: the ASR load fails, and the loads after it still happen
    settings = with_overrides(Settings(), {"asr": {"model_path": str(tmp_path)}})
    load_lexicon.cache_clear()
    _build.cache_clear()
    sys.modules.pop("curation.text.llm", None)
    for extractor in gen_extractor_classes():  # compiled again on their next use
        if "_VALID_URL_RE" in extractor.__dict__:
            delattr(extractor, "_VALID_URL_RE")

    models_before = _cached_transcriber.cache_info().currsize

    thread = warm_up(settings)
    assert warm_up(settings) is thread, "started once for the same settings"
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert _cached_transcriber.cache_info().currsize == models_before, "the ASR model could not load"
    assert load_lexicon.cache_info().currsize == 1
    assert _build.cache_info().currsize == 1, "the classifier is loaded"
    assert "curation.text.llm" in sys.modules
    compiled = [ie for ie in gen_extractor_classes() if "_VALID_URL_RE" in ie.__dict__]
    assert len(compiled) > 1000, "yt-dlp's URL patterns are compiled"
    assert warm_up(Settings()) is not thread, "other settings, other loads"
    warm_up(Settings()).join(timeout=120)
