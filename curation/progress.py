"""A live progress bar over (video, stage) steps, read from the store's status files."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from curation.records import VideoRef
from curation.stages import STAGES
from curation.store import Store, utc_now


def settled_steps(store: Store, videos: list[VideoRef], since: str) -> int:
    count = 0
    for video in videos:
        for status in store.statuses(video.video_id).values():
            count += status.state == "done" or status.finished_at >= since
    return count


@contextmanager
def stage_progress(store: Store, videos: list[VideoRef], interval_s: float = 0.5) -> Iterator[None]:
    since = utc_now()
    stop = threading.Event()
    columns = (TextColumn("curating"), BarColumn(), MofNCompleteColumn(), TextColumn("video-stages"), TimeElapsedColumn())
    with Progress(*columns, transient=False) as progress:
        bar = progress.add_task("curate", total=len(videos) * len(STAGES))

        def poll() -> None:
            while not stop.wait(interval_s):
                progress.update(bar, completed=settled_steps(store, videos, since))

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()
            progress.update(bar, completed=settled_steps(store, videos, since))
