"""What triage reads of a remote video: the frames it asks for, over HTTP."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from curation.demo.truth import load_truth, truth_path
from curation.ingest.triage import ProbeError, sampled_frames
from tests.demo.media import frame_at

WIDTH = 320


def scaled(frame: np.ndarray) -> np.ndarray:
    picture = Image.fromarray(frame.astype(np.uint8))
    return np.asarray(picture.resize((WIDTH, round(picture.height * WIDTH / picture.width)))).astype(np.int16)


def test_sampled_frames_are_the_slides_shown_then(demo_dir, demo_server):
    slides = load_truth(truth_path(demo_dir, "lecture-01")).slides[1:4]
    times = [(s.start + s.end) / 2 for s in slides]
    local = [scaled(frame_at(demo_dir / "lecture-01.mp4", t)) for t in times]
    for keyframe in (False, True):
        remote = list(sampled_frames(f"{demo_server}/lecture-01.mp4", times, WIDTH, keyframe))
        assert [f.shape for f in remote] == [(180, WIDTH, 3)] * len(times)
        for i, frame in enumerate(remote):
            diffs = [np.abs(frame.astype(np.int16) - other).mean() for other in local]
            # a keyframe may come from before the slide began: then it shows the slide before
            expected = {i, i - 1} if keyframe else {i}
            assert int(np.argmin(diffs)) in expected and min(diffs) < 6, (keyframe, i, diffs)


def test_a_missing_video_is_a_probe_error_naming_it(demo_server):
    with pytest.raises(ProbeError, match="nothing-here.mp4"):
        next(sampled_frames(f"{demo_server}/nothing-here.mp4", [1.0], WIDTH, True))
