"""Prefect flow `curate`: every video of the manifests through every stage, then a dataset version.

Orchestration only: the work lives in the stages of `curation.stages`. Each (video, stage) is a task;
a stage waits only for the stages it reads, so one video's frames overlap with its own ASR and
with the next video's. At most `videos_at_once` videos are in flight, which bounds memory and
keeps every core busy. A failing video ends in a recorded failure and never stops the batch.
"""

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed, wait
from prefect.task_runners import ThreadPoolTaskRunner

from curation.config import Settings, load_settings
from curation.errors import StageFailed
from curation.export.takedown import blocked_ids, takedown_list
from curation.ingest.manifest import read_manifests
from curation.pipeline import run_stage
from curation.records import VideoRef
from curation.stages import STAGES
from curation.store import Store
from curation.summary import RunSummary, summarize
from curation.warmup import warm_up
from flows.runners import task_runner

VIDEOS_AT_ONCE = 2


def only_transient(task, task_run, state) -> bool:
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, StageFailed) and exc.transient


@task(
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=only_transient,
    task_run_name="{name}:{video.video_id}",
)
def stage_task(name: str, video: VideoRef, data_root: str, settings: Settings) -> tuple[str, str, float] | None:
    """Run one stage; returns (video, stage, seconds) when it really ran, None when it was current."""
    status, ran = run_stage(STAGES[name], Store(data_root), video, settings)
    return (video.video_id, name, status.duration_s) if ran else None


def warm_up_here(settings: Settings) -> None:
    """Loads the tasks will need, on a thread while the first videos download, where tasks run
    on this process's threads (`curate run` began them while Prefect's server booted)."""
    run = FlowRunContext.get()
    if run is not None and isinstance(run.task_runner, ThreadPoolTaskRunner):
        warm_up(settings)


def submit_video(video: VideoRef, data_root: str, settings: Settings) -> list:
    futures = {}
    for name, stage in STAGES.items():
        futures[name] = stage_task.submit(
            name, video, data_root, settings, wait_for=[futures[dep] for dep in stage.after]
        )
    return list(futures.values())


def first_finished(in_flight: list[list]) -> list:
    """The tasks of the first video in flight whose every task has finished."""
    finished = set()
    for future in as_completed([f for tasks in in_flight for f in tasks]):
        finished.add(future.task_run_id)
        for tasks in in_flight:
            if all(f.task_run_id in finished for f in tasks):
                return tasks
    raise AssertionError("every task finished, so a video did")


def submit_all(videos: list[VideoRef], data_root: str, settings: Settings, videos_at_once: int) -> list:
    """Every video's tasks, a new video entering as soon as any one in flight is finished (not
    the oldest: a short lecture beside a long one frees its place early)."""
    in_flight: list[list] = []
    submitted = []
    for video in videos:
        if len(in_flight) >= videos_at_once:
            in_flight.remove(first_finished(in_flight))
        in_flight.append(submit_video(video, data_root, settings))
        submitted += in_flight[-1]
    wait(submitted)
    return submitted


@flow(name="curate", task_runner=task_runner("thread", VIDEOS_AT_ONCE), log_prints=True)
def curate(
    manifests: list[str],
    data_root: str | None = None,
    config_file: str | None = None,
    build_dataset: bool = True,
    only_if_changed: bool = False,
    takedown: str | None = None,
    videos_at_once: int = VIDEOS_AT_ONCE,
    settings: Settings | None = None,
) -> RunSummary:
    """`settings` wins over `config_file`; the one object is passed down to every task and flow."""
    settings = settings or load_settings(Path(config_file) if config_file else None)
    data_root = data_root or settings.data_root
    takedown_path = takedown_list(takedown)
    blocked = blocked_ids(Store(data_root), takedown_path)
    videos = [v for v in read_manifests([Path(m) for m in manifests]) if v.video_id not in blocked]
    warm_up_here(settings)
    futures = submit_all(videos, data_root, settings, videos_at_once)
    ran = [f.result() for f in futures if f.state.is_completed() and f.result() is not None]
    summary = summarize(Store(data_root), videos, ran, settings.discover.triage.estimated_curation_s_per_video_s)
    if build_dataset and summary.ok and (ran or not only_if_changed):
        # imported here: the audit flow brings in matplotlib, start-up that a run curating
        # videos only never needs
        from flows.audit import audit_dataset
        from flows.dataset import build_dataset_version

        version = build_dataset_version(data_root=data_root, settings=settings, takedown=takedown)
        summary.add_version(Store(data_root), version.path)
        summary.report_path = audit_dataset(data_root, version.name, version.version, settings=settings)
    return summary
