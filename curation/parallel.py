"""An ordered map over threads that holds only a few items at once."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def ordered_map(fn: Callable[[Item], Result], items: Iterable[Item], workers: int) -> Iterator[tuple[Item, Result]]:
    """(item, fn(item)) in the order of `items`, computed on `workers` threads; `items` is read
    lazily, at most `workers` ahead of what was yielded, so a stream of large items stays bounded."""
    if workers <= 1:
        yield from ((item, fn(item)) for item in items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[Item, Future]] = deque()
        for item in items:
            pending.append((item, pool.submit(fn, item)))
            if len(pending) == workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
