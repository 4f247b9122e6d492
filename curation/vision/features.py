"""Colour and texture measurements that tell a stained tissue section from slide furniture.

Everything is measured on a copy whose longer side is `ANALYSIS_SIDE` pixels, so the numbers do
not depend on the frame's resolution. Colour deconvolution (Ruifrok & Johnston, via
`skimage.color.rgb2hed`) separates haematoxylin, eosin and DAB; the masks below say which pixels
are paper-white, flat fills (slide backgrounds, boxes, bands), or textured stain.

The tissue features (`tissue_*`, `nuclei_*`) are measured on the tissue mask only, so the white glass
around a low-power section does not dilute them, and the nuclei on a copy twice as large, where a
nucleus of a x20 field is still a few pixels across. A picture that merely has an H&E palette (a
photo mapped through a pink-to-purple ramp, a chart) has no round, evenly sized
haematoxylin-dense blobs and its eosin and haematoxylin do not vary independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.color import rgb2hed
from skimage.feature import local_binary_pattern

ANALYSIS_SIDE = 256
NUCLEI_SIDE = 512
# a second, coarser look for the nuclei of a field magnified far beyond x40 (or upscaled from a
# small picture), which are too large to count as nuclei on the NUCLEI_SIDE copy
COARSE_NUCLEI_SIDE = 128
FEATURE_NAMES = (
    "white",  # near-white, unsaturated pixels: paper, slide background, lumen
    "dark",  # near-black pixels: letterbox bars, dark themes, night skies
    "flat",  # pixels in a locally constant neighbourhood: fills, bands, backgrounds
    "stained",  # textured, coloured, neither white nor dark: what tissue is made of
    "pink_purple",  # stained pixels with an H&E hue
    "brown",  # stained pixels with a DAB hue
    "blue",  # stained pixels with a haematoxylin-counterstain hue
    "edges",  # share of Canny edge pixels
    "edges_on_flat",  # edges touching a flat neighbourhood: text, lines, boxes
    "colour_entropy",  # spread of a 64-bin colour histogram, 0..1
    "saturation",  # mean HSV saturation, 0..1
    "texture",  # mean local grey deviation over the non-flat pixels, /64
    "haematoxylin",  # mean haematoxylin optical density over stained pixels
    "eosin",  # mean eosin optical density over stained pixels
    "dab",  # mean DAB optical density over stained pixels
    "nuclei",  # small haematoxylin-dense blobs per 1,000 pixels
    # texture: shares of the non-flat pixels by local binary pattern (8 neighbours, radius 1);
    # lbp_k: the k neighbours at least as bright as the centre form one arc (lbp_8: a dark spot
    # such as a nucleus, lbp_0: a bright spot, lbp_4: a straight edge); lbp_mixed: no single arc
    *(f"lbp_{k}" for k in range(9)),
    "lbp_mixed",
    "tissue",  # share of the frame covered by the (closed) tissue mask
    "tissue_pink_purple",  # shares of the tissue mask by hue
    "tissue_brown",
    "tissue_blue",
    "tissue_haematoxylin",  # mean optical densities over the tissue mask
    "tissue_eosin",
    "tissue_texture",  # mean local grey deviation over the tissue mask, /64
    "tissue_he_correlation",  # correlation of haematoxylin and eosin density over the tissue
    "tissue_od_spread",  # second / first principal spread of the optical density colours
    "tissue_gradient",  # mean Sobel gradient magnitude over the tissue, /255
    "nuclei_density",  # nucleus-like haematoxylin blobs per 1,000 tissue pixels (NUCLEI_SIDE copy)
    "nuclei_area",  # their median area, /100 pixels
    "nuclei_area_spread",  # interquartile range / median of their areas
    "nuclei_roundness",  # their median 4 pi area / perimeter^2
    "nuclei_cover",  # share of the tissue's haematoxylin-dense pixels that lie in such blobs
    *(f"coarse_{name}" for name in ("nuclei_density", "nuclei_area", "nuclei_area_spread",
                                    "nuclei_roundness", "nuclei_cover")),  # the same on a COARSE_NUCLEI_SIDE copy
    # grey-level percentiles: transmitted light leaves the brightest pixels of a bright-field
    # picture near white, a fluorescence picture is light emitted on black
    "grey_p5",
    "grey_p50",
    "grey_p95",
    # skewness of the grey detail (grey minus its blur, fine and coarse): bright-field objects
    # absorb, so nuclei are compact dark spots (negative); fluorophores emit, bright spots (positive)
    "detail_skew_fine",
    "detail_skew_coarse",
    # mean saturation of the brightest 5% of pixels: in bright field the least stained, so nearly
    # the white of the lamp; in fluorescence the most dye, so a saturated emission colour
    "bright_saturation",
)
MIN_TISSUE_PIXELS = 200


@dataclass(frozen=True)
class Masks:
    white: np.ndarray
    dark: np.ndarray
    flat: np.ndarray
    stained: np.ndarray


def shrink(rgb: np.ndarray, side: int = ANALYSIS_SIDE) -> np.ndarray:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 image, got shape {rgb.shape} dtype {rgb.dtype}")
    scale = side / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def local_deviation(grey: np.ndarray, window: int = 5) -> np.ndarray:
    x = grey.astype(np.float32)
    mean = cv2.blur(x, (window, window))
    return np.sqrt(np.maximum(cv2.blur(x * x, (window, window)) - mean * mean, 0))


def masks(hsv: np.ndarray, deviation: np.ndarray) -> Masks:
    saturation, value = hsv[..., 1], hsv[..., 2]
    white = (value > 215) & (saturation < 30)
    dark = value < 45
    flat = deviation < 2.0
    stained = ~white & ~dark & ~flat & (saturation >= 30)
    return Masks(white, dark, flat, stained)


def _hue_shares(hue: np.ndarray, stained: np.ndarray) -> tuple[float, float, float]:
    n = hue.size
    pink_purple = stained & ((hue >= 125) | (hue < 4))  # OpenCV hue is 0..179
    brown = stained & (hue >= 4) & (hue < 28)
    blue = stained & (hue >= 90) & (hue < 125)
    return pink_purple.sum() / n, brown.sum() / n, blue.sum() / n


def _colour_entropy(small: np.ndarray) -> float:
    bins = (small >> 6).astype(np.int32)
    codes = bins[..., 0] * 16 + bins[..., 1] * 4 + bins[..., 2]
    p = np.bincount(codes.ravel(), minlength=64) / codes.size
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum() / 6.0)


def _nuclei_density(haematoxylin: np.ndarray, stained: np.ndarray) -> float:
    """Blobs among the most haematoxylin-dense quarter of the stained pixels, nucleus-sized."""
    if not stained.any():
        return 0.0
    level = max(np.percentile(haematoxylin[stained], 75), 0.02)
    blobs = ((haematoxylin > level) & stained).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    return float(((areas >= 4) & (areas <= 150)).sum() * 1000 / haematoxylin.size)


def tissue_mask(m: Masks) -> np.ndarray:
    """Stained pixels, closed so the lumina and pale stroma inside a tissue island count too."""
    stained = m.stained.astype(np.uint8)
    closed = cv2.morphologyEx(stained, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)) > 0
    return closed & ~m.dark & ~(m.flat & m.white)


def _od_spread(rgb_od: np.ndarray) -> float:
    if len(rgb_od) < 3:
        return 0.0
    spread = np.sqrt(np.maximum(np.linalg.eigvalsh(np.cov(rgb_od.T)), 0))
    return float(spread[-2] / max(spread[-1], 1e-9))


def _tissue_features(small, hsv, hed, deviation, grey, tissue) -> list[float]:
    n = tissue.sum()
    if n < MIN_TISSUE_PIXELS:
        return [n / tissue.size, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    hue_shares = np.array(_hue_shares(hsv[..., 0], tissue)) * tissue.size / n
    h, e = np.maximum(hed[..., 0][tissue], 0), np.maximum(hed[..., 1][tissue], 0)
    correlation = np.corrcoef(h, e)[0, 1] if h.std() > 1e-6 and e.std() > 1e-6 else 1.0
    od = -np.log((small[tissue].astype(np.float64) + 1) / 256)
    gradient = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    return [
        n / tissue.size,
        *hue_shares,
        h.mean() * 10,
        e.mean() * 10,
        deviation[tissue].mean() / 64,
        float(correlation),
        _od_spread(od),
        float(gradient[tissue].mean() / 255),
    ]


def _nuclei_features(rgb: np.ndarray, side: int) -> list[float]:
    """Blobs among the haematoxylin-densest pixels of the tissue, by count, size and shape, on a
    copy whose longer side is `side`."""
    big = shrink(rgb, side)
    hsv = cv2.cvtColor(big, cv2.COLOR_RGB2HSV)
    grey = cv2.cvtColor(big, cv2.COLOR_RGB2GRAY)
    tissue = tissue_mask(masks(hsv, local_deviation(grey)))
    if tissue.sum() < MIN_TISSUE_PIXELS:
        return [0.0] * 5
    haematoxylin = cv2.GaussianBlur(rgb2hed(big)[..., 0].astype(np.float32), (3, 3), 0)
    level = max(float(np.percentile(haematoxylin[tissue], 80)), 0.03)
    dense = ((haematoxylin > level) & tissue).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(dense, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    sized = (areas >= 6) & (areas <= 400)
    if sized.sum() < 3:
        return [0.0, 0.0, 0.0, 0.0, 0.0]
    contours, _ = cv2.findContours(dense, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    roundness = []
    for contour in contours:
        area = cv2.contourArea(contour)
        perimeter = cv2.arcLength(contour, True)
        if 6 <= area <= 400 and perimeter > 0:
            roundness.append(min(4 * np.pi * area / perimeter**2, 1.0))
    blob_areas = areas[sized]
    q1, median, q3 = np.percentile(blob_areas, (25, 50, 75))
    return [
        float(sized.sum() * 1000 / tissue.sum()),
        float(median / 100),
        float((q3 - q1) / median),
        float(np.median(roundness)) if roundness else 0.0,
        float(blob_areas.sum() / max(dense.sum(), 1)),
    ]


def _detail_skew(grey: np.ndarray, textured: np.ndarray, sigma: float) -> float:
    if textured.sum() < MIN_TISSUE_PIXELS:
        return 0.0
    x = grey.astype(np.float32)
    detail = (x - cv2.GaussianBlur(x, (0, 0), sigma))[textured]
    spread = detail.std()
    return float(np.clip(((detail - detail.mean()) ** 3).mean() / spread**3, -10, 10)) if spread > 1e-3 else 0.0


def extract(rgb: np.ndarray) -> np.ndarray:
    """The features of FEATURE_NAMES for one RGB uint8 image, as float64."""
    small = shrink(rgb)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    deviation = local_deviation(grey)
    m = masks(hsv, deviation)
    n = grey.size
    edges = cv2.Canny(grey, 60, 150) > 0
    near_flat = cv2.dilate(m.flat.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    pink_purple, brown, blue = _hue_shares(hsv[..., 0], m.stained)
    hed = rgb2hed(small)
    density = np.maximum(hed[m.stained], 0).mean(axis=0) * 10 if m.stained.any() else np.zeros(3)
    textured = ~m.flat
    patterns = local_binary_pattern(grey, 8, 1, "uniform")[textured].astype(int)
    pattern_shares = np.bincount(patterns, minlength=10)[:10] / max(patterns.size, 1)
    return np.array(
        [
            m.white.sum() / n,
            m.dark.sum() / n,
            m.flat.sum() / n,
            m.stained.sum() / n,
            pink_purple,
            brown,
            blue,
            edges.sum() / n,
            (edges & near_flat).sum() / n,
            _colour_entropy(small),
            hsv[..., 1].mean() / 255,
            deviation[textured].mean() / 64 if textured.any() else 0.0,
            *density,
            _nuclei_density(hed[..., 0], m.stained),
            *pattern_shares,
            *_tissue_features(small, hsv, hed, deviation, grey, tissue_mask(m)),
            *_nuclei_features(rgb, NUCLEI_SIDE),
            *_nuclei_features(rgb, COARSE_NUCLEI_SIDE),
            *(np.percentile(grey, (5, 50, 95)) / 255),
            _detail_skew(grey, textured, 2.0),
            _detail_skew(grey, textured, 8.0),
            hsv[..., 1][hsv[..., 2] >= np.percentile(hsv[..., 2], 95)].mean() / 255,
        ],
        dtype=np.float64,
    )
