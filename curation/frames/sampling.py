"""Evenly spaced samples from a stream of unknown length, in bounded memory."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class EvenSampler(Generic[T]):
    """Keeps every `stride`-th item added; the stride doubles whenever over `2 * size` are held.

    At any moment the held items are evenly spaced over everything added so far and number at
    most `2 * size + 1`, however long the stream. `pick()` then returns `size` of them, evenly
    spaced. Fully deterministic: the choice depends only on the count of items added.
    """

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"sample size must be at least 1, got {size}")
        self.size = size
        self.stride = 1
        self.added = 0
        self._held: list[tuple[int, T]] = []

    def add(self, item: T) -> None:
        if self.added % self.stride == 0:
            self._held.append((self.added, item))
            if len(self._held) > 2 * self.size:
                self.stride *= 2
                self._held = [(pos, it) for pos, it in self._held if pos % self.stride == 0]
        self.added += 1

    @property
    def held(self) -> int:
        return len(self._held)

    def pick(self) -> list[T]:
        """Up to `size` held items, evenly spaced from the first to the last held."""
        n = len(self._held)
        if n <= self.size:
            return [item for _, item in self._held]
        if self.size == 1:
            return [self.middle()]
        return [self._held[round(i * (n - 1) / (self.size - 1))][1] for i in range(self.size)]

    def middle(self) -> T:
        """The held item nearest the middle of everything added."""
        if not self._held:
            raise ValueError("no items were added")
        centre = (self.added - 1) / 2
        return min(self._held, key=lambda held: (abs(held[0] - centre), held[0]))[1]
