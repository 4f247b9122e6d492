"""Task runners: threads on one machine, or a Dask cluster (local or existing) for scale-out."""

from __future__ import annotations

from curation.stages import STAGES


def task_runner(kind: str = "thread", videos_at_once: int = 2, workers: int = 2, dask_address: str | None = None):
    if kind == "thread":
        from prefect.task_runners import ThreadPoolTaskRunner

        # a task waiting for its inputs holds a thread, so every task of the videos in flight
        # gets one; the CPU stages themselves bound how much runs at once (see AsrSettings.parallel)
        return ThreadPoolTaskRunner(max_workers=len(STAGES) * videos_at_once)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    raise ValueError(f"unknown runner '{kind}': use 'thread' or 'dask'")
