"""Histology views cut from a real tissue section: scikit-image's immunohistochemistry image.

The section (brown DAB, blue haematoxylin counterstain) is separated into its stains by colour
deconvolution; the stains are then recombined with other colours, which turns the same tissue
into an H&E-like section (purple nuclei, pink cytoplasm and stroma) or a different IHC.
A `View` picks a stain, a field (centre and zoom) and an orientation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageFilter

RGB = tuple[int, int, int]
UPSCALE_NEEDING_SHARPENING = 4.0  # beyond this magnification the field looks out of focus


@dataclass(frozen=True)
class Stain:
    """Colours of a fully stained structure; the section's own stain amounts give the rest."""

    nuclei: RGB
    counterstain: RGB | None = None
    counterstain_base: float = 0.5  # share of the counterstain that every bit of tissue takes up
    dab: RGB | None = None
    dab_strength: float = 1.0


ORIGINAL_IHC = "ihc"
STAINS: dict[str, Stain] = {
    "he": Stain(nuclei=(70, 45, 140), counterstain=(235, 130, 175), counterstain_base=0.5),
    "he-pale": Stain(nuclei=(90, 60, 150), counterstain=(240, 160, 200), counterstain_base=0.7),
    "he-dark": Stain(nuclei=(50, 30, 100), counterstain=(225, 110, 160), counterstain_base=0.4),
    "ihc-weak": Stain(nuclei=(95, 110, 175), dab=(150, 95, 45), dab_strength=0.45),
}


@lru_cache(maxsize=1)
def section() -> np.ndarray:
    from skimage import data

    return data.immunohistochemistry()


def _scaled(channel: np.ndarray, low_pct: float, high_pct: float) -> np.ndarray:
    low, high = np.percentile(channel, [low_pct, high_pct])
    return np.clip((channel - low) / (high - low), 0.0, 1.0)


@lru_cache(maxsize=1)
def stain_amounts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Haematoxylin, DAB and tissue density of the section, each in [0, 1]."""
    from skimage.color import rgb2hed
    from skimage.filters import gaussian

    rgb = section()
    hed = rgb2hed(rgb)
    # the lower half of the haematoxylin channel is cytoplasmic haze; only nuclei keep colour
    haematoxylin = _scaled(hed[..., 0], 40, 99.7) ** 1.3
    dab = _scaled(hed[..., 2], 1, 99.5)
    optical_density = -np.log(np.clip(rgb / 255.0, 1 / 255, 1)).sum(axis=-1)
    tissue = np.clip((gaussian(optical_density, sigma=2) - 0.15) / 0.35, 0.0, 1.0)
    return haematoxylin, dab, tissue


def _optical_density(colour: RGB) -> np.ndarray:
    return -np.log(np.clip(np.asarray(colour, dtype=float), 1, 255) / 255.0)


@lru_cache(maxsize=16)
def stained_section(stain: str | Stain) -> np.ndarray:
    """The whole section as RGB uint8 in the named (or given) stain."""
    if stain == ORIGINAL_IHC:
        return section()
    if isinstance(stain, str):
        if stain not in STAINS:
            raise ValueError(f"unknown stain {stain!r}; known: {[ORIGINAL_IHC, *STAINS]}")
        stain = STAINS[stain]
    haematoxylin, dab, tissue = stain_amounts()
    density = haematoxylin[..., None] * _optical_density(stain.nuclei)
    if stain.counterstain is not None:
        eosin = tissue * (stain.counterstain_base + (1 - stain.counterstain_base) * dab)
        density = density + eosin[..., None] * _optical_density(stain.counterstain)
    if stain.dab is not None:
        density = density + (stain.dab_strength * dab)[..., None] * _optical_density(stain.dab)
    return (np.exp(-density) * 255).round().astype(np.uint8)


@dataclass(frozen=True)
class View:
    """A microscope field: `zoom` 1 shows the section's full width (or height, if narrower)."""

    stain: str | Stain = "he"
    center: tuple[float, float] = (0.5, 0.5)
    zoom: float = 1.0
    quarter_turns: int = 0
    mirror: bool = False


def render_view(view: View, size: tuple[int, int]) -> Image.Image:
    """The field of `view` resampled to `size` (width, height)."""
    tissue = np.rot90(stained_section(view.stain), k=view.quarter_turns)
    if view.mirror:
        tissue = tissue[:, ::-1]
    height, width = tissue.shape[:2]
    aspect = size[0] / size[1]
    crop_w = min(width, height * aspect) / view.zoom
    crop_h = crop_w / aspect
    cx = np.clip(view.center[0] * width, crop_w / 2, width - crop_w / 2)
    cy = np.clip(view.center[1] * height, crop_h / 2, height - crop_h / 2)
    box = (cx - crop_w / 2, cy - crop_h / 2, cx + crop_w / 2, cy + crop_h / 2)
    field = Image.fromarray(np.ascontiguousarray(tissue)).resize(size, Image.Resampling.LANCZOS, box=box)
    if size[0] / crop_w > UPSCALE_NEEDING_SHARPENING:
        field = field.filter(ImageFilter.UnsharpMask(radius=3, percent=70, threshold=2))
    return field
