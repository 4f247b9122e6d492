"""Stable intervals within scenes, found in one pass over the analysis samples.

Consecutive samples at least `stable_ssim` alike, with no scene cut between them, form a run;
a run covering at least `min_stable_s` becomes a stable interval. Stability alone separates two
slides joined by a cross-fade, which cut detectors tend to miss. A scene (between two cuts) long
enough to matter but without any stable interval is represented by its middle frame, as Quilt
does. Only a bounded, evenly spaced subset of each run's full-resolution frames is held.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
from scenedetect import FrameTimecode
from scenedetect.detectors import ContentDetector

from curation.config import FrameSettings
from curation.frames.decode import Sample
from curation.frames.sampling import EvenSampler
from curation.frames.similarity import GreyStats, grey_stats, ssim


@dataclass(frozen=True)
class Selection:
    start: float
    end: float
    samples: list[Sample]
    scene_fallback: bool = False


@dataclass
class _Span:
    first: Sample
    last: Sample
    sampler: EvenSampler[Sample]
    has_selection: bool = False

    def extend(self, sample: Sample) -> None:
        self.last = sample
        self.sampler.add(sample)


@dataclass
class StableFrameSelector:
    settings: FrameSettings
    cuts: list[float] = field(default_factory=list)
    _detector: ContentDetector = field(init=False)
    _previous: GreyStats | None = field(init=False, default=None)
    _run: _Span | None = field(init=False, default=None)
    _scene: _Span | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # min_scene_len=0: report each cut on the frame that shows it; flashes are harmless
        # here because a scene needs a stable interval or min_stable_s to yield a frame
        self._detector = ContentDetector(threshold=self.settings.scene_threshold, min_scene_len=0)

    def feed(self, sample: Sample) -> list[Selection]:
        stats = grey_stats(cv2.cvtColor(sample.small_bgr, cv2.COLOR_BGR2GRAY))
        timecode = FrameTimecode(sample.index, fps=self.settings.analysis_fps)
        cut = (
            bool(self._detector.process_frame(timecode, sample.small_bgr))
            and self._scene is not None
        )
        stable = (
            self._previous is not None
            and not cut
            and ssim(self._previous, stats) >= self.settings.stable_ssim
        )
        self._previous = stats
        closed: list[Selection] = []
        if stable:
            self._run.extend(sample)
        else:
            closed += self._close_run()
            if cut:
                closed += self._close_scene()
                self.cuts.append(sample.time)
            self._run = self._open(sample, self.settings.median_samples)
        if self._scene is None:
            self._scene = self._open(sample, 1)
        else:
            self._scene.extend(sample)
        return closed

    def finish(self) -> list[Selection]:
        return self._close_run() + self._close_scene()

    @staticmethod
    def _open(sample: Sample, size: int) -> _Span:
        sampler = EvenSampler[Sample](size)
        sampler.add(sample)
        return _Span(sample, sample, sampler)

    def _covered(self, span: _Span) -> float:
        """Seconds on screen: each sample stands for one tick of the analysis clock."""
        return span.last.time - span.first.time + 1.0 / self.settings.analysis_fps

    def _close_run(self) -> list[Selection]:
        run, self._run = self._run, None
        if run is None or self._covered(run) < self.settings.min_stable_s:
            return []
        self._scene.has_selection = True
        return [Selection(run.first.time, run.last.time, run.sampler.pick())]

    def _close_scene(self) -> list[Selection]:
        scene, self._scene = self._scene, None
        if (
            scene is None
            or scene.has_selection
            or self._covered(scene) < self.settings.min_stable_s
        ):
            return []
        return [Selection(scene.first.time, scene.last.time, [scene.sampler.middle()], True)]
