"""A small dataset version written straight to disk: per-video artifacts, real JPEGs, pairs.parquet.

Six videos, each exercising one path of the funnel:
  lec-a  everything done; 4 keyframes (one a near-duplicate), 2 histology; 6 aligned pairs, 4 kept
         (a one-word caption dropped by the `caption_words` filter, a garbled one by `uncertain_text`)
  lec-b  everything done; 2 histology keyframes, 3 pairs; its 2nd image nearly repeats lec-a's 1st
  lec-c  download failed
  lec-d  transcription failed
  lec-e  everything done, but no keyframe is histology
  lec-f  everything done, 1 aligned pair, taken down
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image
from skimage import color, data

from curation.audit.duplicates import image_phash
from curation.export.parquet import pair_row, write_pairs
from curation.export.stats import DatasetStats, SplitStats, VideoStats
from curation.export.versions import DatasetVersion
from curation.records import (
    FrameLabel,
    FrameLabels,
    Keyframe,
    Keyframes,
    Pair,
    Sentence,
    SlideTexts,
    StageStatus,
    TextAnalysis,
    Transcript,
    Video,
)
from curation.store import Store
from tests.fixtures.stages import mark_done

DATASET = "histo-pairs"
VERSION = "v0001"
SIZE = (480, 360)


@dataclass(frozen=True)
class Frame:
    index: int
    start: float
    end: float
    label: str
    score: float
    stain: str = "none"
    image: str = ""  # name of a picture in PICTURES
    duplicate_of: int | None = None


def _ihc() -> np.ndarray:
    return data.immunohistochemistry()


def _he_like(rgb: np.ndarray) -> np.ndarray:
    """Recolour an IHC section as H&E: haematoxylin stays, DAB becomes eosin."""
    hed = color.rgb2hed(rgb)
    he = np.stack(
        [hed[..., 0] * 1.5, hed[..., 2] * 0.15 + 0.01, np.zeros_like(hed[..., 0])], axis=-1
    )
    return (np.clip(color.hed2rgb(he), 0, 1) * 255).astype(np.uint8)


def _crop(rgb: np.ndarray, x: int, y: int, side: int) -> Image.Image:
    return Image.fromarray(rgb[y : y + side, x : x + side]).resize(SIZE)


def _slide(text_rows: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    canvas = np.full((SIZE[1], SIZE[0], 3), 245, np.uint8)
    for row in range(text_rows):
        width = int(rng.integers(150, 420))
        canvas[40 + row * 36 : 52 + row * 36, 30 : 30 + width] = 40
    return Image.fromarray(canvas)


def pictures() -> dict[str, Image.Image]:
    ihc = _ihc()
    he = _he_like(ihc)
    shifted_brighter = np.clip(he[4:260, 4:260].astype(int) + 4, 0, 255).astype(np.uint8)
    return {
        "he-a": _crop(he, 0, 0, 256),
        "ihc-a": _crop(ihc, 256, 256, 256),
        "he-b": _crop(he, 200, 40, 300),
        "he-a-again": Image.fromarray(shifted_brighter).resize(SIZE),  # 8 bits from he-a
        "he-f": _crop(he, 100, 300, 200),
        "slide": _slide(5, 1),
        "person": _slide(2, 2),
        "desktop": _slide(8, 3),
    }


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def sentence(
    index: int, start: float, text: str, terms: list[str], kind: str, raw: str | None = None,
    confidence: float = 1.0, uncertain: tuple[str, ...] = (),
) -> Sentence:
    return Sentence(
        index=index,
        start=start,
        end=start + 4.0,
        raw=raw or text,
        text=text,
        is_med=kind == "med",
        is_roi=kind == "roi",
        med_terms=terms,
        confidence=confidence,
        uncertain=list(uncertain),
    )


MIN_TEXT_CONFIDENCE = 0.5
VIDEOS = {
    "lec-a": dict(
        title="Melanocytic lesions of the skin",
        duration_s=180.0,
        heard=0.71,  # Whisper's mean word probability (others: 0.9)
        frames=[
            Frame(0, 10, 40, "histology", 0.95, "he", "he-a"),
            Frame(1, 40, 70, "histology", 0.85, "ihc", "ihc-a"),
            Frame(2, 70, 100, "slide_text", 0.05, image="slide"),
            Frame(3, 100, 130, "histology", 0.85, "ihc", "ihc-a", duplicate_of=1),
        ],
        sentences=[
            sentence(
                0,
                12,
                "Nests of atypical melanocytes sit at the dermoepidermal junction.",
                ["melanocytes", "dermoepidermal junction"],
                "med",
                raw="Nests of atypical melonocytes sit at the dermoepidermal junction.",
            ),
            sentence(
                1,
                20,
                "The epidermis shows pagetoid spread of single melanocytes.",
                ["epidermis", "pagetoid spread", "melanocytes"],
                "med",
                confidence=0.62,
                uncertain=("pagetoid",),
            ),
            sentence(2, 30, "Mitoses.", ["mitoses"], "med"),
            sentence(3, 45, "Here you can see the brown staining in this area.", [], "roi"),
            sentence(
                4,
                55,
                "Melan-A highlights the intraepidermal melanocytes.",
                ["Melan-A", "melanocytes"],
                "med",
            ),
            sentence(5, 75, "Let us move on to the next case.", [], "raw"),
            sentence(
                6,
                33,
                "The nucleoplyal homophism is marked, so this tumor would be red-free.",
                ["tumor"],
                "med",
                confidence=0.21,
                uncertain=("nucleoplyal", "homophism", "red-free"),
            ),
        ],
        aligned=[(0, 0), (0, 1), (0, 2), (1, 3), (1, 4), (0, 6)],  # (frame, sentence)
        filtered={(0, 2): "caption_words", (0, 6): "uncertain_text"},
    ),
    "lec-b": dict(
        title="Colorectal adenocarcinoma",
        duration_s=120.0,
        frames=[
            Frame(0, 5, 35, "histology", 0.9, "he", "he-b"),
            Frame(1, 35, 60, "histology", 0.7, "he", "he-a-again"),
        ],
        sentences=[
            sentence(
                0,
                8,
                "Irregular glands infiltrate a desmoplastic stroma.",
                ["glands", "desmoplastic stroma"],
                "med",
            ),
            sentence(1, 38, "Dirty necrosis fills the gland lumina.", ["necrosis", "gland"], "med"),
            sentence(2, 48, "Look at these cells right here.", [], "roi"),
        ],
        aligned=[(0, 0), (1, 1), (1, 2)],
        filtered={},
    ),
    "lec-e": dict(
        title="How to use the slide viewer",
        duration_s=60.0,
        frames=[
            Frame(0, 0, 30, "person", 0.1, image="person"),
            Frame(1, 30, 60, "desktop", 0.2, image="desktop"),
        ],
        sentences=[
            sentence(0, 5, "Welcome to the course.", [], "raw"),
            sentence(1, 35, "Open the viewer.", [], "raw"),
        ],
        aligned=[],
        filtered={},
    ),
    "lec-f": dict(
        title="Granulomas",
        duration_s=90.0,
        frames=[Frame(0, 10, 50, "histology", 0.8, "he", "he-f")],
        sentences=[
            sentence(
                0,
                15,
                "A Langhans giant cell sits in the granuloma.",
                ["Langhans giant cell", "granuloma"],
                "med",
            )
        ],
        aligned=[(0, 0)],
        filtered={(0, 0): "takedown"},
    ),
}
FAILED = {
    "lec-c": ("fetch", "DownloadError: ERROR: [youtube] lec-c: Video unavailable"),
    "lec-d": ("asr", "RuntimeError: the media file has no audio stream"),
}
SPLITS = {"lec-a": "train", "lec-b": "val", "lec-f": "train"}


def write_failed_video(store: Store, video_id: str, stage: str, reason: str) -> None:
    mark_done(store, video_id, before=stage)
    store.set_status(video_id, stage, StageStatus(state="failed", reason=reason))


def write_video(
    store: Store, video_id: str, spec: dict, images: dict[str, Image.Image]
) -> list[tuple[Pair, str | None]]:
    """Write every artifact of a finished video; returns its aligned pairs, each with its filter."""
    store.write_json(
        store.video_path(video_id, "info.json"),
        Video(
            video_id=video_id,
            url=f"http://localhost/{video_id}.mp4",
            title=spec["title"],
            channel="PathTeach",
            duration_s=spec["duration_s"],
            license="CC BY 4.0",
        ),
    )
    frames: list[Frame] = spec["frames"]
    keyframes = []
    for f in frames:
        path = f"frames/{f.index:04d}.jpg"
        data = jpeg(images[f.image])
        store.write_bytes(store.video_path(video_id, path), data)
        keyframes.append(
            Keyframe(
                video_id=video_id,
                index=f.index,
                frame_time=(f.start + f.end) / 2,
                scene_start=f.start,
                scene_end=f.end,
                stable_start=f.start,
                stable_end=f.end,
                image_path=path,
                phash=f"{image_phash(data):016x}",
                sharpness=100.0 + f.index,
                width=SIZE[0],
                height=SIZE[1],
                samples=9,
                duplicate_of=f.duplicate_of,
            )
        )
    store.write_json(
        store.video_path(video_id, "keyframes.json"),
        Keyframes(video_id=video_id, extractor_id="test", keyframes=keyframes),
    )
    store.write_json(
        store.video_path(video_id, "labels.json"),
        FrameLabels(
            video_id=video_id,
            classifier_id="test",
            labels=[
                FrameLabel(
                    index=f.index,
                    label=f.label,
                    histology_score=f.score,
                    classifier_id="test",
                    stain=f.stain,
                )
                for f in frames
            ],
        ),
    )
    sentences: list[Sentence] = spec["sentences"]
    store.write_json(
        store.video_path(video_id, "text.json"),
        TextAnalysis(video_id=video_id, refiner_id="test", sentences=sentences),
    )
    aligned = []
    for frame_index, sentence_index in spec["aligned"]:
        f, s, kf = frames[frame_index], sentences[sentence_index], keyframes[frame_index]
        pair = Pair(
            pair_id=Pair.make_id(video_id, kf.frame_time, s.text),
            video_id=video_id,
            image_path=f"videos/{video_id}/{kf.image_path}",
            caption=s.text,
            raw_caption=s.raw,
            text_type="med" if s.is_med else "roi" if s.is_roi else "raw",
            text_start=s.start,
            text_end=s.end,
            frame_time=kf.frame_time,
            frame_start=f.start,
            frame_end=f.end,
            keyframe_index=f.index,
            histology_score=f.score,
            stain=f.stain,
            sharpness=kf.sharpness,
            med_terms=s.med_terms,
            text_confidence=s.confidence,
            uncertain=s.uncertain,
            provenance={"classifier": "test"},
        )
        aligned.append((pair, spec["filtered"].get((frame_index, sentence_index))))
    store.write_jsonl(store.video_path(video_id, "pairs.jsonl"), [p for p, _ in aligned])
    store.save(video_id, Transcript(video_id=video_id, language="en", model_id="test",
                                    duration_s=spec["duration_s"], segments=[], words=[]))
    store.save(video_id, SlideTexts(video_id=video_id, engine_id="test", frames=[]))
    mark_done(store, video_id)
    asr = store.statuses(video_id)["asr"]
    store.set_status(video_id, "asr", asr.model_copy(update={"metrics": {"mean_probability": spec.get("heard", 0.9)}}))
    return aligned


def write_pairs_parquet(path: str, store: Store, pairs: list[Pair]) -> None:
    rows = []
    for pair in pairs:
        row = pair.model_dump(mode="json")
        row["provenance"] = json.dumps(row["provenance"], sort_keys=True)
        rows.append(
            row | {"split": SPLITS[pair.video_id], "shard": f"{SPLITS[pair.video_id]}/00000"}
        )
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer)
    store.write_bytes(path, buffer.getvalue())


def build_version(root) -> Store:
    """Write the six videos and version VERSION of DATASET under `root`; returns the store."""
    store = Store(root)
    images = pictures()
    aligned = [
        item
        for video_id, spec in VIDEOS.items()
        for item in write_video(store, video_id, spec, images)
    ]
    for video_id, (stage, reason) in FAILED.items():
        write_failed_video(store, video_id, stage, reason)
    kept = [pair for pair, dropped_by in aligned if dropped_by is None]
    dropped: dict[str, int] = {
        "takedown": 0,
        "text_type": 0,
        "histology_score": 0,
        "caption_words": 0,
        "uncertain_text": 0,
    }
    for _, dropped_by in aligned:
        if dropped_by:
            dropped[dropped_by] += 1
    folder = store.dataset_dir(DATASET, VERSION)
    write_pairs_parquet(f"{folder}/pairs.parquet", store, kept)
    write_pairs(
        store.local_path(f"{folder}/dropped.parquet"),
        [pair_row(pair, reason=dropped_by) for pair, dropped_by in aligned if dropped_by],
        ("reason",),
    )
    per_split = {
        split: [p for p in kept if SPLITS[p.video_id] == split] for split in ("train", "val")
    }
    stats = DatasetStats(
        videos_ready=len(VIDEOS),
        videos_not_ready=sorted(FAILED),
        videos_taken_down=["lec-f"],
        videos=len({p.video_id for p in kept}),
        candidate_pairs=len(aligned),
        pairs=len(kept),
        images=len({p.image_path for p in kept}),
        dropped=dropped,
        text_types=dict(Counter(p.text_type for p in kept)),
        splits={
            split: SplitStats(
                videos=len({p.video_id for p in pairs}),
                images=len({p.image_path for p in pairs}),
                pairs=len(pairs),
                shards=1,
            )
            for split, pairs in per_split.items()
        },
        per_video={
            vid: VideoStats(
                split=SPLITS.get(vid, "train"),
                candidate_pairs=sum(p.video_id == vid for p, _ in aligned),
                pairs=sum(p.video_id == vid for p in kept),
            )
            for vid in VIDEOS
        },
        shards={},
    )
    store.write_json(f"{folder}/stats.json", stats)
    store.write_json(
        f"{folder}/version.json",
        DatasetVersion(
            name=DATASET, version=VERSION, path=folder, created_at="2026-01-01T00:00:00+00:00",
            config_hash="synthetic", counts={"pairs": len(kept)},
            config={"min_text_confidence": MIN_TEXT_CONFIDENCE},
        ),
    )
    store.write_text(f"{store.dataset_dir(DATASET)}/latest", VERSION + "\n")
    return store
