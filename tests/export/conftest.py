"""A store of finished per-video artifacts, written the way the stages write them, with real JPEGs.

Only what a build reads has content (info, keyframes, pairs); the transcript, labels and text are
minimal valid records, since a video ships only when every stage's artifact is there and readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
import pytest
from PIL import Image
from skimage.filters import gaussian

from curation.export.splits import split_of
from curation.records import (
    CandidatePairs,
    FrameLabel,
    FrameLabels,
    Keyframe,
    Keyframes,
    Pair,
    SlideTexts,
    StageStatus,
    TextAnalysis,
    Transcript,
    Video,
)
from curation.store import Store
from tests.fixtures.stages import mark_done


@dataclass(frozen=True)
class PairSpec:
    keyframe: int
    caption: str
    text_type: str
    histology_score: float
    text_confidence: float = 1.0
    start: float = 1.0  # seconds after the frame appears
    stains: tuple[str, ...] = ()
    magnification: str | None = None
    uncertain: tuple[str, ...] = ()


# Every video gets these pairs; the comments say which default check drops them.
PAIRS = (
    PairSpec(0, "The epithelium shows nuclear atypia with frequent mitoses.", "med", 0.9),
    PairSpec(0, "Here you can see the gland lined by columnar cells.", "roi", 0.9),
    PairSpec(1, "Granuloma.", "med", 0.8),  # caption_words
    PairSpec(1, "Look at this area of caseous necrosis here.", "roi", 0.3),  # histology_score
    PairSpec(2, "So we move on now to the next topic of the talk.", "raw", 0.95),  # text_type
    PairSpec(2, "Eosinophilic cytoplasm fills these plump cells.", "med", 0.6),
)
VIDEOS = ("lec-a", "lec-b", "lec-c", "lec-d")
COPIED = ("lec-d", 0, "lec-a", 0)  # lec-d's keyframe 0 shows the very image of lec-a's keyframe 0


def tissue_image(seed: int, size: int = 96) -> np.ndarray:
    """A smooth pink-purple texture, different for every seed."""
    rng = np.random.default_rng(seed)
    field = gaussian(rng.random((size, size)), sigma=3)
    field = (field - field.min()) / (np.ptp(field) + 1e-9)
    pink, purple = np.array([235, 160, 200]), np.array([110, 60, 150])
    return (pink * (1 - field[..., None]) + purple * field[..., None]).astype(np.uint8)


def write_frame(store: Store, video_id: str, index: int, pixels: np.ndarray) -> Keyframe:
    relative = f"frames/{index:04d}.jpg"
    path = store.local_path(store.video_path(video_id, relative))
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(pixels)
    image.save(path, quality=92)
    start = 10.0 * index
    return Keyframe(
        video_id=video_id, index=index, frame_time=start + 5, scene_start=start, scene_end=start + 10,
        stable_start=start, stable_end=start + 10, image_path=relative, phash=str(imagehash.phash(Image.open(path))),
        sharpness=100.0, width=pixels.shape[1], height=pixels.shape[0], samples=9,
    )


def make_pair(video_id: str, keyframe: Keyframe, spec: PairSpec) -> Pair:
    start = keyframe.stable_start + spec.start
    return Pair(
        pair_id=Pair.make_id(video_id, keyframe.frame_time, spec.caption), video_id=video_id,
        image_path=f"videos/{video_id}/{keyframe.image_path}", caption=spec.caption, raw_caption=spec.caption,
        text_type=spec.text_type, is_roi=spec.text_type == "roi", text_start=start, text_end=start + 3,
        frame_time=keyframe.frame_time, frame_start=keyframe.stable_start, frame_end=keyframe.stable_end,
        keyframe_index=keyframe.index, histology_score=spec.histology_score, stain="he",
        text_confidence=spec.text_confidence, uncertain=list(spec.uncertain), stains_on_slide=list(spec.stains), magnification=spec.magnification,
        provenance={"asr_model": "tiny.en", "classifier": "stain-v1", "prompt:med": "med-v2"},
    )


def add_video(store: Store, video_id: str, seed: int, pairs=PAIRS, done: bool = True, **info) -> list[Pair]:
    frames = {index: tissue_image(seed * 100 + index) for index in sorted({s.keyframe for s in pairs})}
    if video_id == COPIED[0]:
        frames[COPIED[1]] = tissue_image(VIDEOS.index(COPIED[2]) * 100 + COPIED[3])
    keyframes = [write_frame(store, video_id, index, pixels) for index, pixels in frames.items()]
    by_index = {kf.index: kf for kf in keyframes}
    records = [make_pair(video_id, by_index[spec.keyframe], spec) for spec in pairs]
    video = Video(video_id=video_id, url=f"http://127.0.0.1/{video_id}.mp4", title=f"Lecture {video_id}",
                  channel=info.pop("channel", "Path Teaching"), duration_s=180.0, license=info.pop("license", "cc-by"),
                  file_name="video.mp4", **info)
    store.write_bytes(store.video_path(video_id, "video.mp4"), b"not really a video")
    store.save(video_id, video)
    store.save(video_id, Transcript(video_id=video_id, language="en", model_id="tiny.en", duration_s=180.0,
                                    segments=[], words=[]))
    store.save(video_id, Keyframes(video_id=video_id, extractor_id="test", keyframes=keyframes))
    store.save(video_id, FrameLabels(video_id=video_id, classifier_id="stain-v1", labels=[
        FrameLabel(index=kf.index, label="histology", histology_score=0.9, classifier_id="stain-v1")
        for kf in keyframes
    ]))
    store.save(video_id, SlideTexts(video_id=video_id, engine_id="test", frames=[]))
    store.save(video_id, TextAnalysis(video_id=video_id, refiner_id="offline", sentences=[]))
    store.save(video_id, CandidatePairs(pairs=records))
    if done:
        mark_done(store, video_id)
    else:
        mark_done(store, video_id, before="pairs")
        store.set_status(video_id, "pairs", StageStatus(state="failed", reason="RuntimeError: align crashed"))
    return records


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "data")
    for seed, video_id in enumerate(VIDEOS):
        add_video(store, video_id, seed, channel="Derm Path" if video_id == "lec-c" else "Path Teaching")
    add_video(store, "lec-unfinished", 99, done=False)
    return store


def version_dir(store: Store, record) -> Path:
    return store.local_path(record.path)


def read_stats(store: Store, record) -> dict:
    return json.loads((version_dir(store, record) / "stats.json").read_text())


def mixed_seed(video_ids, val_fraction: float) -> int:
    """The first split seed that puts some of these videos in each split."""
    return next(
        seed for seed in range(1000)
        if len({split_of(v, seed, val_fraction) for v in video_ids}) == 2
    )
