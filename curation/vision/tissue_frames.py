"""Labelled frames made from real pictures: real H&E fields, low-power islands on white glass,
special stains, fluorescence, and negatives (photos mapped to an H&E palette, pink and purple
charts, cell cartoons, real CT, MR, X-ray and ultrasound scans).

Calibration and held-out frames never share pixels of a real picture: calibration crops come from
the top 60% of each section, held-out crops from the rest, and the two splits recolour different
photos and show different scans (one of each modality each). Each frame is (image, frame type, group, source) and is drawn by its own generator seeded
by (split, group, number), so a split is always the same frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw
from skimage.color import rgb2hed

from curation.vision.real_images import SourceImage, photos, radiology_scans, real_sections

GENERATOR_VERSION = "3"  # bump when a frame changes, so cached features are recomputed
FRAME = (960, 540)
CALIBRATION, HELD_OUT = "calibration", "held_out"
SPLIT_ROWS = {CALIBRATION: (0.0, 0.6), HELD_OUT: (0.6, 1.0)}
HELD_OUT_PHOTOS = {"chelsea", "brick", "retina", "camera", "page"}
# colours of a unit amount of each dye, (first, second) for the two stain channels of a section
SPECIAL_STAINS = {
    "trichrome": ((40, 40, 90), (200, 60, 70)),  # nuclei dark, cytoplasm red (collagen blue below)
    "pas": ((70, 80, 160), (200, 60, 170)),  # haematoxylin, magenta PAS
    "silver": ((25, 20, 20), (200, 160, 90)),  # black fibres on gold
    "congo_red": ((80, 90, 170), (230, 110, 110)),  # haematoxylin, salmon amyloid
}
HE_RAMPS = (((70, 40, 130), (230, 120, 170)), ((50, 30, 100), (240, 160, 200)))
FLUORESCENT = ((40, 80, 255), (40, 230, 60), (240, 50, 50))


@dataclass(frozen=True)
class TissueFrame:
    image: np.ndarray
    frame_type: str
    group: str
    source: str


def _crop(rgb: np.ndarray, rng: np.random.Generator, split: str, low_power: bool) -> np.ndarray:
    top, bottom = (int(f * rgb.shape[0]) for f in SPLIT_ROWS[split])
    band = rgb[top:bottom]
    side = min(band.shape[:2])
    if low_power:
        size = int(side * rng.uniform(0.7, 1.0))
    else:  # sized by the whole picture, so both splits show a section at the same magnifications
        size = min(int(min(rgb.shape[:2]) * rng.uniform(0.25, 0.8)), side)
    y, x = rng.integers(0, band.shape[0] - size + 1), rng.integers(0, band.shape[1] - size + 1)
    patch = band[y : y + size, x : x + size]
    return np.ascontiguousarray(np.rot90(patch, int(rng.integers(0, 4))))


def _fill(patch: np.ndarray, size=FRAME) -> np.ndarray:
    return np.asarray(Image.fromarray(patch).resize(size, Image.Resampling.BICUBIC))


def _stain_amounts(patch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hed = np.maximum(rgb2hed(patch), 0)
    h, e = hed[..., 0], hed[..., 1]
    return h / max(np.percentile(h, 99), 1e-6), e / max(np.percentile(e, 99), 1e-6)


def _dyes(first: np.ndarray, second: np.ndarray, colours) -> np.ndarray:
    """Beer-Lambert: optical densities of two dyes added, then back to light."""
    od = [-np.log(np.asarray(c, np.float64) / 255) for c in colours]
    total = first[..., None] * od[0] + second[..., None] * od[1]
    return np.clip(255 * np.exp(-total), 0, 255).astype(np.uint8)


def he_field(source: SourceImage, rng, split) -> np.ndarray:
    return _fill(_crop(source.rgb, rng, split, low_power=False))


def low_power_islands(source: SourceImage, rng, split) -> np.ndarray:
    """The section shrunk onto white glass, kept only where smooth noise says there is tissue."""
    width, height = FRAME
    patch = _crop(source.rgb, rng, split, low_power=True)
    side = int(height * rng.uniform(0.5, 1.0))
    tissue = np.asarray(Image.fromarray(patch).resize((side, side), Image.Resampling.BOX))
    noise = cv2.GaussianBlur(rng.random((side, side)).astype(np.float32), (0, 0), side / 12)
    mask = noise > np.percentile(noise, rng.uniform(55, 85))
    glass = np.full((height, width, 3), rng.integers(235, 252), np.uint8)
    glass = np.clip(glass + rng.normal(0, 2, glass.shape), 0, 255).astype(np.uint8)
    y, x = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
    region = glass[y : y + side, x : x + side]
    region[mask] = tissue[mask]
    return glass


def special_stain(source: SourceImage, rng, split) -> tuple[np.ndarray, str]:
    name = str(rng.choice(list(SPECIAL_STAINS)))
    first, second = _stain_amounts(_crop(source.rgb, rng, split, low_power=False))
    recoloured = _dyes(first * rng.uniform(0.8, 1.3), second * rng.uniform(0.6, 1.2), SPECIAL_STAINS[name])
    if name == "trichrome":  # collagen: the pale eosin takes the blue
        collagen = (second > 0.15) & (second < 0.45) & (first < 0.3)
        recoloured[collagen] = _dyes(first, second * 1.5, ((40, 40, 90), (70, 110, 200)))[collagen]
    return _fill(recoloured), name


def fluorescence_field(source: SourceImage, rng, split) -> np.ndarray:
    """Dark field, dyes emitting light: an H&E section's stains as two fluorophores, or a real
    nuclear-dye image tinted."""
    patch = _crop(source.rgb, rng, split, low_power=False)
    if source.kind == "fluorescence":
        first, second = patch[..., 0] / 255.0, np.zeros(patch.shape[:2])
    else:
        first, second = _stain_amounts(patch)
    picked = rng.choice(len(FLUORESCENT), 2, replace=False)
    light = first[..., None] * FLUORESCENT[picked[0]] + second[..., None] * FLUORESCENT[picked[1]] * 0.7
    return _fill(np.clip(light * rng.uniform(0.7, 1.2), 0, 255).astype(np.uint8))


def he_palette_photo(source: SourceImage, rng) -> np.ndarray:
    """A photo's grey levels mapped through a pink-to-purple ramp: an H&E palette, no tissue."""
    grey = cv2.cvtColor(source.rgb, cv2.COLOR_RGB2GRAY).astype(np.float64) / 255
    y0, x0 = rng.integers(0, grey.shape[0] // 4 + 1), rng.integers(0, grey.shape[1] // 4 + 1)
    grey = grey[y0 : y0 + int(grey.shape[0] * 0.75), x0 : x0 + int(grey.shape[1] * 0.75)]
    darkness = (1 - grey) ** rng.uniform(0.7, 1.4)
    nuclei, counterstain = HE_RAMPS[int(rng.integers(0, len(HE_RAMPS)))]
    recoloured = _dyes(np.clip(darkness * 2 - 1, 0, 1) * 1.2, np.clip(darkness * 2, 0, 1), (nuclei, counterstain))
    return _fill(recoloured)


def pink_chart(rng) -> np.ndarray:
    width, height = FRAME
    image = Image.new("RGB", FRAME, tuple(int(v) for v in rng.integers(235, 256, 3)))
    canvas = ImageDraw.Draw(image)
    palette = [tuple(int(v) for v in _dyes(np.array([[a]]), np.array([[b]]), HE_RAMPS[0])[0, 0])
               for a, b in rng.uniform(0, 1.2, (6, 2))]
    if rng.random() < 0.5:
        bars = int(rng.integers(4, 12))
        for i in range(bars):
            x = 80 + i * (width - 160) // bars
            top = int(rng.integers(80, height - 80))
            canvas.rectangle((x, top, x + (width - 160) // bars - 10, height - 60), fill=palette[i % 6])
        canvas.line((70, 60, 70, height - 60, width - 60, height - 60), fill=(40, 40, 40), width=3)
    else:
        start = 0.0
        for i, share in enumerate(rng.dirichlet(np.ones(int(rng.integers(3, 7))))):
            canvas.pieslice((width / 2 - 220, 50, width / 2 + 220, 490), start, start + 360 * share,
                            fill=palette[i % 6])
            start += 360 * share
    return np.asarray(image)


def cell_cartoon(rng) -> np.ndarray:
    """Textbook cells: pink cytoplasm, a purple nucleus, outlines, on a plain background."""
    image = Image.new("RGB", FRAME, tuple(int(v) for v in rng.integers(225, 256, 3)))
    canvas = ImageDraw.Draw(image)
    cytoplasm = tuple(int(v) for v in rng.integers((200, 100, 150), (250, 170, 210)))
    nucleus = tuple(int(v) for v in rng.integers((50, 20, 90), (110, 70, 160)))
    for _ in range(int(rng.integers(5, 60))):
        x, y = rng.integers(0, FRAME[0]), rng.integers(0, FRAME[1])
        r = int(rng.integers(20, 90))
        canvas.ellipse((x - r, y - r * 0.8, x + r, y + r * 0.8), fill=cytoplasm, outline=(90, 40, 90), width=2)
        canvas.ellipse((x - r / 3, y - r / 3, x + r / 3, y + r / 3), fill=nucleus)
    return np.asarray(image)


def radiology_slide(scan: SourceImage, rng) -> np.ndarray:
    """A scan as a lecture shows it: scaled to fit a dark frame, somewhere on it, at some contrast."""
    width, height = FRAME
    scale = min(width / scan.rgb.shape[1], height / scan.rgb.shape[0]) * rng.uniform(0.6, 1.0)
    size = (max(1, round(scan.rgb.shape[1] * scale)), max(1, round(scan.rgb.shape[0] * scale)))
    picture = np.asarray(Image.fromarray(scan.rgb).resize(size, Image.Resampling.LANCZOS), np.float64)
    picture = np.clip((picture - 128) * rng.uniform(0.8, 1.2) + 128 + rng.uniform(-15, 15), 0, 255)
    frame = np.full((height, width, 3), rng.integers(0, 40), np.uint8)
    y, x = rng.integers(0, height - size[1] + 1), rng.integers(0, width - size[0] + 1)
    frame[y : y + size[1], x : x + size[0]] = picture.astype(np.uint8)
    return frame


def tissue_frames(split: str, per_group: int) -> list[TissueFrame]:
    """`per_group` frames of each group, from the real pictures and generators of `split`."""
    return list(iter_tissue_frames(split, per_group))


def iter_tissue_frames(split: str, per_group: int) -> Iterator[TissueFrame]:
    """The frames of `tissue_frames`, made one at a time."""
    sections = [s for s in real_sections() if s.kind == "he"]
    fluorescent = [s for s in real_sections() if s.kind == "fluorescence"] + sections
    pictures = [p for p in photos() if (p.name in HELD_OUT_PHOTOS) == (split == HELD_OUT)]
    scans = radiology_scans()[0 if split == CALIBRATION else 1 :: 2]
    salt = 0 if split == CALIBRATION else 1

    def rng(group: int, i: int) -> np.random.Generator:
        return np.random.default_rng([salt, group, i])

    for i in range(per_group):
        section = sections[i % len(sections)]
        yield TissueFrame(he_field(section, rng(0, i), split), "histology", "real_he", section.source)
        yield TissueFrame(low_power_islands(section, rng(1, i), split), "histology",
                          "low_power_islands", section.source)
        image, stain = special_stain(section, rng(2, i), split)
        yield TissueFrame(image, "histology", "special_stain", f"{section.source} as {stain}")
        glowing = fluorescent[i % len(fluorescent)]
        yield TissueFrame(fluorescence_field(glowing, rng(3, i), split), "fluorescence",
                          "fluorescence", glowing.source)
        picture = pictures[i % len(pictures)]
        yield TissueFrame(he_palette_photo(picture, rng(4, i)), "other", "he_palette_photo",
                          picture.source)
        yield TissueFrame(pink_chart(rng(5, i)), "diagram", "pink_chart", "generated")
        yield TissueFrame(cell_cartoon(rng(6, i)), "diagram", "cell_cartoon", "generated")
        scan = scans[i % len(scans)]
        yield TissueFrame(radiology_slide(scan, rng(7, i)), "other", "radiology", f"{scan.source} ({scan.kind})")
