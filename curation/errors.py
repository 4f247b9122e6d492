"""The failures a stage can end in; every one becomes a per-video reason, never a batch crash."""

from __future__ import annotations


class TransientError(RuntimeError):
    """A failure worth retrying: network trouble, rate limits, a busy server."""


class InvalidArtifact(ValueError):
    """A stored artifact that is missing, truncated or does not match its record type."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem

    def __reduce__(self):  # Dask sends a failed task's exception to another process
        return type(self), (self.path, self.problem)


class StageFailed(RuntimeError):
    def __init__(self, video_id: str, stage: str, reason: str, transient: bool = False):
        super().__init__(f"{video_id}: {stage} failed: {reason}")
        self.video_id, self.stage, self.reason, self.transient = video_id, stage, reason, transient

    def __reduce__(self):
        return type(self), (self.video_id, self.stage, self.reason, self.transient)
