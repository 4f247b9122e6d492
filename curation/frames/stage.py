"""Stage `keyframes`: one median image per stable interval, near-duplicates marked.

The video is decoded once (curation.frames.decode); cuts and stable intervals are found on small
frames as they stream by (curation.frames.select); each kept interval's median is computed from
at most `median_samples` full-resolution frames the moment the interval ends. Writes
`frames/NNNN.jpg` and `keyframes.json` (records.Keyframes) into the video folder.
"""

from __future__ import annotations

import bisect
import io
import time
from pathlib import Path

import numpy as np
from PIL import Image

from curation.config import Settings
from curation.frames.decode import iter_samples, probe, yuv_to_rgb
from curation.frames.dedup import mark_duplicates
from curation.frames.measure import perceptual_hash, sharpness
from curation.frames.median import median_image
from curation.frames.select import Selection, StableFrameSelector
from curation.records import Keyframe, Keyframes, Video
from curation.store import Store

EXTRACTOR_ID = "content-cuts+ssim-stable+median/1"
FRAMES_DIR = "frames"


def encode_jpeg(rgb: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def media_path(store: Store, video_id: str) -> Path:
    info_path = store.video_path(video_id, "info.json")
    if not store.exists(info_path):
        raise ValueError(f"{info_path} is missing: fetch the video first")
    info = store.read_model(info_path, Video)
    if not info.file_name:
        raise ValueError(f"{info_path} names no media file (file_name is empty)")
    return store.local_path(store.video_path(video_id, info.file_name))


def _in_scene(keyframe: Keyframe, cuts: list[float], end: float) -> Keyframe:
    """The keyframe with the bounds of the scene (between two cuts) it lies in."""
    i = bisect.bisect_right(cuts, keyframe.stable_start)
    start = cuts[i - 1] if i else 0.0
    stop = cuts[i] if i < len(cuts) else end
    return keyframe.model_copy(update={"scene_start": start, "scene_end": round(stop, 3)})


class _KeyframeWriter:
    """Turns each selection into its median image on disk and a Keyframe record, at once, so
    no full-resolution frame outlives its interval."""

    def __init__(self, store: Store, video_id: str, jpeg_quality: int):
        self.store, self.video_id, self.jpeg_quality = store, video_id, jpeg_quality
        self.keyframes: list[Keyframe] = []
        self.fallbacks = 0

    def write(self, selections: list[Selection]) -> None:
        for selection in selections:
            samples = selection.samples
            image = yuv_to_rgb(median_image([s.full_yuv() for s in samples]), samples[0].full)
            index = len(self.keyframes)
            name = f"{FRAMES_DIR}/{index:04d}.jpg"
            self.store.write_bytes(
                self.store.video_path(self.video_id, name), encode_jpeg(image, self.jpeg_quality)
            )
            height, width = image.shape[:2]
            self.keyframes.append(
                Keyframe(
                    video_id=self.video_id,
                    index=index,
                    frame_time=round((selection.start + selection.end) / 2, 3),
                    scene_start=0.0,
                    scene_end=0.0,  # known once every cut is
                    stable_start=selection.start,
                    stable_end=selection.end,
                    image_path=name,
                    phash=perceptual_hash(image),
                    sharpness=sharpness(image),
                    width=width,
                    height=height,
                    samples=len(samples),
                )
            )
            self.fallbacks += selection.scene_fallback


def extract_keyframes(store: Store, video, settings: Settings) -> dict[str, float]:
    cfg = settings.frames
    video_id = video.video_id
    path = media_path(store, video_id)
    end = probe(path).duration_s
    store.remove(store.video_path(video_id, FRAMES_DIR))

    started = time.perf_counter()
    selector = StableFrameSelector(cfg)
    writer = _KeyframeWriter(store, video_id, cfg.jpeg_quality)
    for sample in iter_samples(path, cfg.analysis_fps, cfg.analysis_width):
        end = max(end, sample.time)
        writer.write(selector.feed(sample))
    writer.write(selector.finish())

    keyframes = mark_duplicates(
        [_in_scene(k, selector.cuts, end) for k in writer.keyframes], cfg.dedup_hamming
    )
    store.write_json(
        store.video_path(video_id, "keyframes.json"),
        Keyframes(video_id=video_id, extractor_id=EXTRACTOR_ID, keyframes=keyframes),
    )
    kept = sum(k.duplicate_of is None for k in keyframes)
    elapsed = time.perf_counter() - started
    return {
        "keyframes": float(kept),
        "near_duplicates": float(len(keyframes) - kept),
        "scene_fallbacks": float(writer.fallbacks),
        "scenes": float(len(selector.cuts) + 1),
        "video_s": round(end, 3),
        "seconds_per_video_second": round(elapsed / end, 5) if end else 0.0,
    }
