"""Stage `keyframes`: one median image per stable interval, near-duplicates marked.

The video is decoded once (curation.frames.decode); cuts and stable intervals are found on small
frames as they stream by (curation.frames.select); each kept interval's median is computed from
at most `median_samples` full-resolution frames the moment the interval ends. Writes the images
`frames/NNNN.jpg` and returns their records.Keyframes; the duration comes from the fetch stage's
probe, stretched if decoding runs past it.
"""

from __future__ import annotations

import bisect
import io
import time
from pathlib import Path

import numpy as np
from PIL import Image

from curation.frames.decode import iter_samples, yuv_to_rgb
from curation.frames.dedup import mark_duplicates
from curation.frames.measure import perceptual_hash, sharpness
from curation.frames.median import median_image
from curation.frames.select import Selection, StableFrameSelector
from curation.pipeline import StageContext
from curation.records import Keyframe, Keyframes, Video

EXTRACTOR_ID = "content-cuts+ssim-stable+median/1"
FRAMES_DIR = "frames"


def encode_jpeg(rgb: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _in_scene(keyframe: Keyframe, cuts: list[float], end: float) -> Keyframe:
    """The keyframe with the bounds of the scene (between two cuts) it lies in."""
    i = bisect.bisect_right(cuts, keyframe.stable_start)
    start = cuts[i - 1] if i else 0.0
    stop = cuts[i] if i < len(cuts) else end
    return keyframe.model_copy(update={"scene_start": start, "scene_end": round(stop, 3)})


class _KeyframeWriter:
    """Turns each selection into its median image on disk and a Keyframe record, at once, so
    no full-resolution frame outlives its interval."""

    def __init__(self, folder: Path, video_id: str, jpeg_quality: int):
        self.folder, self.video_id, self.jpeg_quality = folder, video_id, jpeg_quality
        self.folder.mkdir(parents=True, exist_ok=True)
        self.keyframes: list[Keyframe] = []
        self.fallbacks = 0

    def write(self, selections: list[Selection]) -> None:
        for selection in selections:
            samples = selection.samples
            image = yuv_to_rgb(median_image([s.full_yuv() for s in samples]), samples[0].full)
            index = len(self.keyframes)
            name = f"{FRAMES_DIR}/{index:04d}.jpg"
            (self.folder / f"{index:04d}.jpg").write_bytes(encode_jpeg(image, self.jpeg_quality))
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


def extract_keyframes(video: Video, ctx: StageContext) -> Keyframes:
    cfg = ctx.settings.frames
    end = video.duration_s
    started = time.perf_counter()
    selector = StableFrameSelector(cfg)
    writer = _KeyframeWriter(ctx.workdir / FRAMES_DIR, video.video_id, cfg.jpeg_quality)
    with ctx.media(video) as path:
        for sample in iter_samples(path, cfg.analysis_fps, cfg.analysis_width):
            end = max(end, sample.time)
            writer.write(selector.feed(sample))
    writer.write(selector.finish())

    keyframes = mark_duplicates(
        [_in_scene(k, selector.cuts, end) for k in writer.keyframes], cfg.dedup_hamming
    )
    kept = sum(k.duplicate_of is None for k in keyframes)
    elapsed = time.perf_counter() - started
    ctx.report(
        keyframes=kept,
        near_duplicates=len(keyframes) - kept,
        scene_fallbacks=writer.fallbacks,
        scenes=len(selector.cuts) + 1,
        video_s=round(end, 3),
        seconds_per_video_second=round(elapsed / end, 5) if end else 0.0,
    )
    return Keyframes(video_id=video.video_id, extractor_id=EXTRACTOR_ID, keyframes=keyframes)
