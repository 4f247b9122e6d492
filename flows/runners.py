"""Task runners: threads on one machine, or an existing Dask cluster for scale-out."""

from __future__ import annotations


def task_runner(kind: str = "thread", workers: int = 3, dask_address: str | None = None):
    if kind == "thread":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    raise ValueError(f"unknown runner '{kind}': use 'thread' or 'dask'")
