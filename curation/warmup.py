"""What a run loads once per process, loaded ahead on a thread while the run waits for something else.

Prefect's server takes seconds to boot in its own process, and in them this process's core is idle.
The ASR model, the lexicon and its term matchers, the classifier, the OCR engine, the LLM client's import (when the LLM
refines the text) and yt-dlp's URL patterns (it compiles the pattern of every extractor it tries,
about 1,800, the first time a URL is matched) are each cached for the process, so a stage that
comes to one finds it loaded, or waits for the one load already under way. Only tasks on this process's threads gain: Dask workers
load their own. A load that fails here fails again in the stage that needs it, which records why.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from curation.config import Settings


def url_patterns() -> None:
    from yt_dlp.extractor import gen_extractor_classes

    for extractor in gen_extractor_classes():
        extractor.suitable("https://warm-up.invalid/video")


def loads(settings: Settings) -> list[Callable[[], object]]:
    """In the order a video's stages come to them."""
    from curation.asr import get_transcriber
    from curation.lexicon.lexicon import load_lexicon
    from curation.slides.ocr import get_engine
    from curation.text.matching import default_matcher, dictionary_matcher
    from curation.vision.factory import get_classifier

    def llm_client() -> None:
        import curation.text.llm  # noqa: F401 - openai's import, a second of the text stage's first run

    steps = [url_patterns, lambda: get_transcriber(settings.asr), load_lexicon, lambda: get_classifier(settings.vision)]
    steps += [default_matcher, dictionary_matcher]
    if settings.slides.enabled:
        steps.append(lambda: get_engine(settings.slides.engine))
    if settings.text.uses_llm:
        steps.append(llm_client)
    return steps


_started: dict[str, threading.Thread] = {}
_starting = threading.Lock()


def warm_up(settings: Settings) -> threading.Thread:
    """The loads for `settings` on a daemon thread, started once per process."""

    def load() -> None:
        for step in loads(settings):
            with contextlib.suppress(Exception):
                step()

    key = settings.model_dump_json()
    with _starting:
        if key not in _started:
            _started[key] = threading.Thread(target=load, name="warm-up", daemon=True)
            _started[key].start()
        return _started[key]
