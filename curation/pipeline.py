"""The per-video stages, their dependencies, and the runner that makes each one resumable.

A stage is a plain function `(store, video, settings) -> metrics`. It reads its inputs from
the store and writes exactly one artifact. The runner skips a stage whose artifact exists with
the same configuration hash (its own settings plus the hashes of the stages it reads), and
records success or a readable failure in `status/<stage>.json` of the video folder.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from pydantic import BaseModel

from curation.config import Settings, config_hash
from curation.errors import StageFailed, TransientError
from curation.records import StageStatus, VideoRef
from curation.store import Store, utc_now


StageFn = Callable[[Store, VideoRef, Settings], dict[str, float]]


@dataclass(frozen=True)
class Stage:
    name: str
    output: str
    inputs: tuple[str, ...]
    target: str  # "module:function", imported on first use so heavy libraries load lazily
    sections: Callable[[Settings], tuple[BaseModel, ...]]
    # "module:function" giving the versions of what the stage reads besides settings (term lists,
    # prompts, calibrated models), so changing those re-runs the stage too
    fingerprint: str = ""

    def function(self) -> StageFn:
        return resolve(self.target)


def resolve(target: str):
    module, attr = target.split(":")
    return getattr(import_module(module), attr)


STAGES: dict[str, Stage] = {
    s.name: s
    for s in (
        Stage("fetch", "info.json", (), "curation.ingest.fetch:fetch_video", lambda c: (c.fetch,)),
        Stage("asr", "transcript.json", ("fetch",), "curation.asr.stage:transcribe_video", lambda c: (c.asr,)),
        Stage("keyframes", "keyframes.json", ("fetch",), "curation.frames.stage:extract_keyframes", lambda c: (c.frames,)),
        Stage("labels", "labels.json", ("keyframes",), "curation.vision.stage:label_frames", lambda c: (c.vision,),
              "curation.vision.stage:fingerprint"),
        Stage("text", "text.json", ("asr",), "curation.text.stage:refine_text", lambda c: (c.text,),
              "curation.text.stage:fingerprint"),
        Stage("pairs", "pairs.jsonl", ("labels", "text"), "curation.align:align_pairs", lambda c: (c.align,)),
    )
}


def stage_hash(stage: Stage, settings: Settings, upstream: dict[str, StageStatus]) -> str:
    parts = [config_hash(*stage.sections(settings))] + [upstream[d].config_hash for d in stage.inputs]
    if stage.fingerprint:
        parts.append(resolve(stage.fingerprint)(settings))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def is_current(store: Store, video_id: str, stage: Stage, settings: Settings) -> bool:
    statuses = store.statuses(video_id)
    if any(statuses.get(d) is None or statuses[d].state != "done" for d in stage.inputs):
        return False
    current = statuses.get(stage.name)
    return (
        current is not None
        and current.state == "done"
        and current.config_hash == stage_hash(stage, settings, statuses)
        and store.exists(store.video_path(video_id, stage.output))
    )


def run_stage(name: str, store: Store, video: VideoRef, settings: Settings) -> tuple[StageStatus, bool]:
    """Run one stage for one video unless its output is current. Returns (status, ran)."""
    stage = STAGES[name]
    statuses = store.statuses(video.video_id)
    for dep in stage.inputs:
        if statuses.get(dep) is None or statuses[dep].state != "done":
            raise StageFailed(video.video_id, name, f"input stage '{dep}' has not finished")
    if is_current(store, video.video_id, stage, settings):
        return statuses[name], False

    digest = stage_hash(stage, settings, statuses)
    started = time.perf_counter()
    try:
        metrics = stage.function()(store, video, settings)
    except Exception as exc:  # every failure becomes a per-video record, never a batch crash
        reason = f"{type(exc).__name__}: {exc}"
        store.set_status(
            video.video_id,
            name,
            StageStatus(state="failed", config_hash=digest, reason=reason,
                        duration_s=time.perf_counter() - started, finished_at=utc_now()),
        )
        raise StageFailed(video.video_id, name, reason, isinstance(exc, TransientError | TimeoutError)) from exc
    status = StageStatus(
        state="done", config_hash=digest, duration_s=round(time.perf_counter() - started, 3),
        finished_at=utc_now(), metrics=metrics or {},
    )
    store.set_status(video.video_id, name, status)
    return status, True
