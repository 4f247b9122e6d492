"""Stage `keyframes`: one median image per stable interval, near-duplicates marked.

Writes `frames/NNNN.jpg` and `keyframes.json` (records.Keyframes) into the video folder.
"""

from __future__ import annotations

import bisect
import io
import time

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


def media_path(store: Store, video_id: str):
    info_path = store.video_path(video_id, "info.json")
    if not store.exists(info_path):
        raise ValueError(f"{info_path} is missing: fetch the video first")
    info = store.read_model(info_path, Video)
    if not info.file_name:
        raise ValueError(f"{info_path} names no media file (file_name is empty)")
    return store.local_path(store.video_path(video_id, info.file_name))


def _scene_bounds(cuts: list[float], duration: float, at: float) -> tuple[float, float]:
    i = bisect.bisect_right(cuts, at)
    return (cuts[i - 1] if i else 0.0), (cuts[i] if i < len(cuts) else duration)


def _keyframe(video_id: str, index: int, selection: Selection, image: np.ndarray, name: str) -> Keyframe:
    height, width = image.shape[:2]
    return Keyframe(
        video_id=video_id,
        index=index,
        frame_time=round((selection.start + selection.end) / 2, 3),
        scene_start=0.0,  # known once the scene has ended
        scene_end=0.0,
        stable_start=selection.start,
        stable_end=selection.end,
        image_path=name,
        phash=perceptual_hash(image),
        sharpness=sharpness(image),
        width=width,
        height=height,
        samples=len(selection.samples),
    )


def extract_keyframes(store: Store, video, settings: Settings) -> dict[str, float]:
    cfg = settings.frames
    video_id = video.video_id
    path = media_path(store, video_id)
    duration = probe(path).duration_s
    store.remove(store.video_path(video_id, FRAMES_DIR))

    started = time.perf_counter()
    selector = StableFrameSelector(cfg)
    keyframes: list[Keyframe] = []
    fallbacks = 0

    def save(selections: list[Selection]) -> None:
        nonlocal fallbacks
        for selection in selections:
            image = yuv_to_rgb(
                median_image([s.full_yuv() for s in selection.samples]), selection.samples[0].full
            )
            name = f"{FRAMES_DIR}/{len(keyframes):04d}.jpg"
            store.write_bytes(store.video_path(video_id, name), encode_jpeg(image, cfg.jpeg_quality))
            keyframes.append(_keyframe(video_id, len(keyframes), selection, image, name))
            fallbacks += selection.scene_fallback

    end = duration
    for sample in iter_samples(path, cfg.analysis_fps, cfg.analysis_width):
        end = max(end, sample.time)
        save(selector.feed(sample))
    save(selector.finish())

    keyframes = mark_duplicates(
        [
            k.model_copy(update=dict(zip(("scene_start", "scene_end"), _scene_bounds(selector.cuts, end, k.stable_start))))
            for k in keyframes
        ],
        cfg.dedup_hamming,
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
        "scene_fallbacks": float(fallbacks),
        "scenes": float(len(selector.cuts) + 1),
        "video_s": round(end, 3),
        "seconds_per_video_second": round(elapsed / end, 5) if end else 0.0,
    }
