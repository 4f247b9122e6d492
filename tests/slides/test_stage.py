from pathlib import Path

import numpy as np
import pytest

from curation.config import Settings
from curation.errors import InvalidArtifact
from curation.frames.stage import encode_jpeg
from curation.pipeline import StageContext
from curation.records import Keyframe, Keyframes, SlideTexts, VideoRef
from curation.slides.settings import SlidesSettings
from curation.slides.ocr import get_engine
from curation.slides.stage import fingerprint, read_slides
from curation.store import Store
from tests.slides.images import labelled_tissue, text_slide, tissue

VIDEO = VideoRef("lec", "http://example/lec.mp4")


def keyframes_in(store: Store, images: list[np.ndarray], duplicates: dict[int, int]) -> Keyframes:
    keyframes = []
    for i, image in enumerate(images):
        name = f"frames/{i:04d}.jpg"
        store.write_bytes(store.video_path("lec", name), encode_jpeg(image, 92))
        keyframes.append(Keyframe(
            video_id="lec", index=i, frame_time=10.0 * i + 5, scene_start=10.0 * i, scene_end=10.0 * i + 10,
            stable_start=10.0 * i + 1, stable_end=10.0 * i + 9, image_path=name, phash="0" * 16, sharpness=1.0,
            width=image.shape[1], height=image.shape[0], samples=9, duplicate_of=duplicates.get(i),
        ))
    return Keyframes(video_id="lec", extractor_id="test", keyframes=keyframes)


def run(tmp_path: Path, keyframes_of, **slides) -> tuple[SlideTexts, dict]:
    store = Store(tmp_path)
    keyframes = keyframes_of(store)
    settings = Settings(slides=SlidesSettings(**slides))
    ctx = StageContext(video=VIDEO, settings=settings, workdir=tmp_path / "work", store=store, upstream={})
    return read_slides(keyframes, ctx), ctx.metrics


def test_every_kept_keyframe_is_read_with_its_stain_and_magnification(tmp_path):
    images = [
        text_slide("Liver fibrosis", ["Masson trichrome highlights collagen"]),
        labelled_tissue("Masson trichrome x40"),
        tissue(),
        labelled_tissue("PAS-diastase 400x"),  # dropped as a duplicate of frame 1: never read
    ]
    slides, metrics = run(tmp_path, lambda store: keyframes_in(store, images, duplicates={3: 1}))
    assert slides.video_id == "lec" and slides.engine_id.startswith("tesseract/")
    assert [f.index for f in slides.frames] == [0, 1, 2]
    text, label, bare = slides.frames
    assert [line.text for line in label.lines] == ["Masson trichrome x40"]
    assert (label.stains, label.magnification) == (["Masson trichrome"], "x40")
    assert text.stains == ["Masson trichrome"] and text.magnification is None
    assert bare.lines == [] and bare.stains == [] and bare.magnification is None
    x0, y0, x1, y1 = label.lines[0].box
    assert x0 < 60 and y0 < 60 and 300 < x1 < 500 and y1 < 90  # where the label was drawn
    assert metrics["frames"] == 3 and metrics["frames_with_text"] == 2
    assert metrics["words"] == sum(len(line.text.split()) for f in slides.frames for line in f.lines) >= 8
    assert 0 < metrics["seconds"] < 30
    assert SlideTexts.from_bytes(slides.to_bytes()) == slides


def test_the_other_engine_is_a_setting(tmp_path):
    images = [labelled_tissue("HER2 3+", stain="ihc")]
    slides, _ = run(tmp_path, lambda store: keyframes_in(store, images, duplicates={}), engine="rapidocr")
    assert slides.engine_id.startswith("rapidocr/")
    assert [line.text for line in slides.frames[0].lines] == ["HER2 3+"]


def test_a_video_without_kept_keyframes_gives_no_frames(tmp_path):
    slides, metrics = run(tmp_path, lambda store: Keyframes(video_id="lec", extractor_id="test", keyframes=[]))
    assert slides.frames == [] and metrics["frames"] == 0 and metrics["words"] == 0


def test_reading_the_slides_can_be_switched_off(tmp_path):
    images = [text_slide("Liver fibrosis", ["Masson trichrome highlights collagen"])]
    slides, _ = run(tmp_path, lambda store: keyframes_in(store, images, duplicates={}), enabled=False)
    assert (slides.video_id, slides.engine_id, slides.frames) == ("lec", "off", [])


def test_a_keyframe_that_is_no_image_is_named_in_the_error(tmp_path):
    images = [labelled_tissue("HER2 3+", stain="ihc"), tissue()]

    def broken_second_frame(store: Store) -> Keyframes:
        keyframes = keyframes_in(store, images, duplicates={})
        store.write_bytes(store.video_path("lec", "frames/0001.jpg"), b"\xff\xd8 cut short")
        return keyframes

    with pytest.raises(InvalidArtifact, match="frames/0001.jpg: not a readable image"):
        run(tmp_path, broken_second_frame)


def test_the_engine_version_is_part_of_the_stage_fingerprint():
    """Another tesseract reads other words: its version, not only the engine's name, keys the stage."""
    version = get_engine("tesseract").engine_id
    assert version.split("/")[1][0].isdigit()
    assert f"ocr:{version}|" in fingerprint(Settings())
    assert fingerprint(Settings(slides=SlidesSettings(enabled=False))).startswith("ocr:off|")
