"""The stage runner: it owns the store, so a stage is a plain function from records to a record.

A `Stage` declares the artifact types it reads and the one it writes. The runner checks that the
stages producing its inputs are done, skips the stage when its output is current (it exists,
validates, its side files exist, and it was made with the same configuration hash: the stage's
own settings, fingerprints of what it reads besides settings, and the hashes of its inputs),
otherwise loads and validates the inputs, calls the stage, and publishes the result: side files
written into a staging folder are swapped in, then the record, then `status/<stage>.json`. A stage
that fails leaves its previous output untouched and records the reason.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel

from curation.config import Settings, config_hash
from curation.errors import InvalidArtifact, StageFailed, TransientError
from curation.records import Artifact, StageStatus, Video, VideoRef
from curation.store import Store, utc_now


@dataclass
class StageContext:
    """What a stage may use besides its input records."""

    video: VideoRef
    settings: Settings
    workdir: Path  # side files (media, images) go here; they replace the stage's owned entries
    store: Store  # only for caches shared across videos (LLM replies), never for artifacts
    upstream: dict[str, str]  # config hash of each input stage, for provenance
    metrics: dict[str, float] = field(default_factory=dict)

    def report(self, **metrics: float) -> None:
        self.metrics.update({k: float(v) for k, v in metrics.items()})

    def read_bytes(self, relative: str) -> bytes:
        """A side file of an input artifact, e.g. a keyframe image."""
        path = self.store.video_path(self.video.video_id, relative)
        if not self.store.exists(path):
            raise InvalidArtifact(path, "missing; re-run the stage that writes it")
        return self.store.read_bytes(path)

    @contextmanager
    def media(self, video: Video) -> Iterator[Path]:
        """The downloaded media file as a local path."""
        if not video.file_name:
            raise InvalidArtifact(self.store.video_path(video.video_id, Video.stored_as), "names no media file")
        with self.store.local_file(self.store.video_path(video.video_id, video.file_name)) as path:
            yield path


@dataclass(frozen=True)
class Stage:
    name: str
    reads: tuple[type[Artifact], ...]
    writes: type[Artifact]
    run: Callable[..., Artifact]  # run(*records read, ctx) -> the record written
    sections: Callable[[Settings], tuple[BaseModel, ...]]
    # versions of what the stage reads besides settings (term lists, prompts, calibrated models),
    # so changing those re-runs the stage too
    fingerprint: Callable[[Settings], str] | None = None
    owns: tuple[str, ...] = ()  # entries of the video folder (names or globs) the stage replaces
    after: tuple[str, ...] = ()  # stages that write what it reads; set by `connect`


def connect(*stages: Stage) -> dict[str, Stage]:
    """The stage graph: each stage runs after the stages that write the records it reads."""
    producer = {stage.writes: stage.name for stage in stages}
    graph = {}
    for stage in stages:
        unknown = [t.__name__ for t in stage.reads if t not in producer]
        if unknown:
            raise ValueError(f"stage '{stage.name}' reads {', '.join(unknown)}, which no stage writes")
        graph[stage.name] = replace(stage, after=tuple(dict.fromkeys(producer[t] for t in stage.reads)))
    return graph


def stage_hash(stage: Stage, settings: Settings, upstream: dict[str, StageStatus]) -> str:
    parts = [config_hash(*stage.sections(settings))] + [upstream[d].config_hash for d in stage.after]
    if stage.fingerprint:
        parts.append(stage.fingerprint(settings))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def unfinished_input(stage: Stage, statuses: dict[str, StageStatus]) -> str | None:
    for dep in stage.after:
        if statuses.get(dep) is None or statuses[dep].state != "done":
            return f"input stage '{dep}' has not finished"
    return None


def artifact_problem(
    store: Store, video_id: str, stage: Stage, parsed: dict[type[Artifact], Artifact] | None = None
) -> str | None:
    """Why the stage's stored record cannot be used (missing, invalid, side files gone), or None;
    the record read goes into `parsed`, for a caller that uses it next."""
    try:
        record = store.load(video_id, stage.writes)
    except InvalidArtifact as exc:
        return str(exc)
    if parsed is not None:
        parsed[stage.writes] = record
    missing = store.missing_files(video_id, record)
    return f"{len(missing)} file(s) missing, e.g. {missing[0]}" if missing else None


def stale_reason(store: Store, video_id: str, stage: Stage, settings: Settings) -> str | None:
    """Why the stage must run again under these settings, or None when its output is current."""
    statuses = store.statuses(video_id)
    status = statuses.get(stage.name)
    if reason := unfinished_input(stage, statuses):
        return reason
    if status is None:
        return "not run"
    if status.state != "done":
        return f"failed: {status.reason}"
    if status.config_hash != stage_hash(stage, settings, statuses):
        return "made with other settings or inputs"
    return artifact_problem(store, video_id, stage)


def unusable_reason(
    store: Store, video_id: str, stage: Stage, statuses: dict[str, StageStatus],
    parsed: dict[type[Artifact], Artifact] | None = None,
) -> str | None:
    """Why the stage's output may not ship, whatever the settings now: it is not done, or was
    made from other outputs of its input stages than the ones stored now, or cannot be read
    (the record read goes into `parsed`)."""
    status = statuses.get(stage.name)
    if status is None:
        return "not run"
    if status.state != "done":
        return f"failed: {status.reason}"
    changed = [dep for dep in stage.after if status.inputs.get(dep) != getattr(statuses.get(dep), "config_hash", None)]
    if changed:
        return f"made from an earlier output of '{changed[0]}'; run it again"
    return artifact_problem(store, video_id, stage, parsed)


def run_stage(stage: Stage, store: Store, video: VideoRef, settings: Settings) -> tuple[StageStatus, bool]:
    """Run one stage for one video unless its output is current. Returns (status, ran)."""
    vid = video.video_id
    with store.lock(vid, stage.name):
        statuses = store.statuses(vid)
        if reason := unfinished_input(stage, statuses):
            raise StageFailed(vid, stage.name, reason)
        if stale_reason(store, vid, stage, settings) is None:
            return statuses[stage.name], False

        digest = stage_hash(stage, settings, statuses)
        inputs = {d: statuses[d].config_hash for d in stage.after}
        started = time.perf_counter()
        try:
            metrics = publish_run(stage, store, video, settings, inputs)
        except Exception as exc:  # every failure becomes a per-video record, never a batch crash
            reason = f"{type(exc).__name__}: {exc}"
            store.set_status(vid, stage.name, StageStatus(
                state="failed", config_hash=digest, inputs=inputs, reason=reason,
                duration_s=round(time.perf_counter() - started, 3), finished_at=utc_now(),
            ))
            raise StageFailed(vid, stage.name, reason, isinstance(exc, TransientError | TimeoutError)) from exc
        status = StageStatus(
            state="done", config_hash=digest, inputs=inputs, duration_s=round(time.perf_counter() - started, 3),
            finished_at=utc_now(), metrics=metrics,
        )
        store.set_status(vid, stage.name, status)
        return status, True


def publish_run(
    stage: Stage, store: Store, video: VideoRef, settings: Settings, upstream: dict[str, str]
) -> dict[str, float]:
    """Load the inputs, run the stage, and swap its outputs in only once it has succeeded."""
    inputs = [store.load(video.video_id, kind) for kind in stage.reads]
    with staging_folder(store, video.video_id, stage.name) as workdir:
        ctx = StageContext(video, settings, workdir, store, upstream)
        record = stage.run(*inputs, ctx)
        if not isinstance(record, stage.writes):
            raise TypeError(f"stage '{stage.name}' returned {type(record).__name__}, not {stage.writes.__name__}")
        # from here the old output is no longer current, so a crash mid-swap re-runs the stage
        store.clear_status(video.video_id, stage.name)
        store.replace_entries(video.video_id, workdir, stage.owns)
        store.save(video.video_id, record)
    return ctx.metrics


@contextmanager
def staging_folder(store: Store, video_id: str, stage: str) -> Iterator[Path]:
    """A fresh folder for the stage's side files, beside their final place when the root is
    local (so swapping them in is a rename); leftovers of a killed run are removed first."""
    prefix = f".staging-{stage}-"
    if store.is_local:
        parent = Path(store.video_dir(video_id))
        parent.mkdir(parents=True, exist_ok=True)
        for stale in parent.glob(prefix + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
    else:
        folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
