from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from curation.config import Settings
from curation.records import Keyframes, Video, VideoRef
from curation.store import Store
from tests.fixtures.stages import run_alone
from tests.frames.synth import Shot, still, text_slide, tissue, with_cursor, write_video

SLIDE_A = tissue(0, 0, 256)


@dataclass(frozen=True)
class Lecture:
    path: Path
    shots: list[tuple[float, float]]  # cursor slide, cross-faded slide, text, pan, slide A again


@pytest.fixture(scope="session")
def lecture(tmp_path_factory) -> Lecture:
    path = tmp_path_factory.mktemp("video") / "lecture.mp4"
    shots = write_video(
        path,
        [
            Shot(4.0, lambda t: with_cursor(SLIDE_A, t)),
            still(tissue(256, 200, 300), 4.0, crossfade_in=0.8),
            still(text_slide("Squamous cell carcinoma"), 3.0),
            Shot(3.0, lambda t: tissue(int(40 + 12 * t), 250, 200)),
            still(SLIDE_A, 3.0),
        ],
    )
    return Lecture(path, shots)


def store_with_video(root: Path, media: Path, video_id: str = "lec") -> tuple[Store, VideoRef]:
    store = Store(root)
    folder = root / "videos" / video_id
    folder.mkdir(parents=True)
    (folder / "video.mp4").write_bytes(media.read_bytes())
    store.save(video_id, Video(video_id=video_id, url="file://" + str(media), file_name="video.mp4"))
    return store, VideoRef(video_id, "file://" + str(media))


@dataclass(frozen=True)
class Extracted:
    store: Store
    video: VideoRef
    metrics: dict[str, float]
    keyframes: Keyframes

    def image(self, index: int) -> np.ndarray:
        from PIL import Image

        path = self.store.video_path(
            self.video.video_id, self.keyframes.keyframes[index].image_path
        )
        return np.asarray(Image.open(path).convert("RGB"))


def run_extraction(root: Path, media: Path) -> Extracted:
    store, video = store_with_video(root, media)
    metrics = run_alone("keyframes", store, video, Settings())
    keyframes = store.load(video.video_id, Keyframes)
    return Extracted(store, video, metrics, keyframes)


@pytest.fixture(scope="session")
def extracted(lecture, tmp_path_factory) -> Extracted:
    return run_extraction(tmp_path_factory.mktemp("store"), lecture.path)
