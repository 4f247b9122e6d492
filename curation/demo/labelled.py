"""Labelled still frames for calibrating and testing frame classifiers.

Every frame is drawn from its own random generator seeded by (seed, class, number), so a seed
always gives the same images, byte for byte, and a larger `per_class` only adds images.
Classes: histology_he, histology_ihc, histology_with_text (a tissue picture beside a title or
bullets; counts as histology), slide_text, person, diagram, desktop (a slide-viewer screenshot with
a small tissue thumbnail), blank. `labels.json` beside the images also gives each histology
picture's box.
"""

from __future__ import annotations

import colorsys
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from curation.demo import slides as draw
from curation.demo.desktop import viewer_screenshot
from curation.demo.scripts import all_terms, load_scripts
from curation.demo.tissue import ORIGINAL_IHC, STAINS, Stain, View, render_view

GENERATOR_VERSION = "2"
CLASSES = ("histology_he", "histology_ihc", "histology_with_text", "slide_text", "person", "diagram",
           "desktop", "blank")
PERSON_PHOTOS = draw.PHOTOS
TRAIN_SEED, TEST_SEED = 0, 1
LABELS_FILE = "labels.json"
TITLE_TEMPLATES = ["{}", "Approach to {}", "{}: key features", "Pitfalls in {}", "Case {n}: {}",
                   "Differential diagnosis of {}", "Grading {}", "Learning objectives", "Summary",
                   "Questions?", "Take-home messages", "Outline"]
BULLET_TEMPLATES = ["{}", "Look for {}", "{} versus {}", "Key feature: {}", "{} is common",
                    "Do not miss {}", "Report {} in every case", "Correlate {} with the clinical picture"]
CHATTER = ["Welcome and introductions", "Course schedule", "Quiz on Thursday", "Reading list",
           "Office hours: Monday 2-4 pm", "Please mute your microphone", "Recordings on the website"]


@dataclass(frozen=True)
class LabelledFrame:
    path: Path
    label: str
    histology_box: tuple[int, int, int, int] | None


@dataclass(frozen=True)
class TextBank:
    terms: list[str]  # short medical terms
    phrases: list[str]  # terms and whole bullet lines of the lecture slides

    @classmethod
    def from_scripts(cls) -> TextBank:
        bullets = [b for s in load_scripts() for slide in s.slides for b in getattr(slide, "bullets", [])]
        return cls(all_terms(), all_terms() + bullets)


def _colour(rng: np.random.Generator, lightness: tuple[float, float], saturation: tuple[float, float]) -> draw.RGB:
    rgb = colorsys.hls_to_rgb(rng.random(), rng.uniform(*lightness), rng.uniform(*saturation))
    return tuple(int(255 * c) for c in rgb)


def random_theme(rng: np.random.Generator) -> draw.Theme:
    dark = rng.random() < 0.3
    background = _colour(rng, (0.08, 0.2), (0.0, 0.5)) if dark else _colour(rng, (0.93, 1.0), (0.0, 0.6))
    text = (235, 235, 235) if dark else _colour(rng, (0.05, 0.2), (0.0, 0.4))
    accent = _colour(rng, (0.35, 0.6), (0.4, 0.9))
    band = None if rng.random() < 0.4 else _colour(rng, (0.15, 0.4), (0.3, 0.9))
    return draw.Theme(background=background, title=text if dark else accent, text=text, accent=accent,
                      band=band, band_text=(255, 255, 255))


def _jitter(colour: draw.RGB, rng: np.random.Generator, spread: int) -> draw.RGB:
    return tuple(int(np.clip(c + rng.integers(-spread, spread + 1), 5, 250)) for c in colour)


def random_stain(rng: np.random.Generator, ihc: bool) -> str | Stain:
    if ihc:
        if rng.random() < 0.3:
            return ORIGINAL_IHC
        return Stain(nuclei=_jitter((95, 110, 175), rng, 20), dab=_jitter((150, 95, 45), rng, 18),
                     dab_strength=float(rng.uniform(0.3, 1.4)))
    base = STAINS[rng.choice(["he", "he-pale", "he-dark"])]
    return Stain(nuclei=_jitter(base.nuclei, rng, 25), counterstain=_jitter(base.counterstain, rng, 20),
                 counterstain_base=float(rng.uniform(0.3, 0.8)))


def random_view(rng: np.random.Generator, ihc: bool) -> View:
    return View(stain=random_stain(rng, ihc), center=(float(rng.random()), float(rng.random())),
                zoom=float(rng.uniform(1.0, 2.5)), quarter_turns=int(rng.integers(0, 4)),
                mirror=bool(rng.random() < 0.5))


def photometric(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Camera and capture variation: brightness, contrast, colour, focus."""
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.85, 1.15))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.8, 1.2))
    image = ImageEnhance.Color(image).enhance(rng.uniform(0.75, 1.25))
    if rng.random() < 0.25:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.0)))
    return image


def _scale_bar(image: Image.Image, rng: np.random.Generator) -> None:
    canvas = ImageDraw.Draw(image)
    x1, y1 = image.width - 40, image.height - 40
    length = int(rng.integers(80, 200))
    colour = (0, 0, 0) if rng.random() < 0.5 else (255, 255, 255)
    canvas.rectangle((x1 - length, y1 - 8, x1, y1), fill=colour)
    canvas.text((x1 - length / 2, y1 - 14), f"{rng.choice([20, 50, 100, 200])} µm", font=draw.font(22),
                fill=colour, anchor="mb")


def histology_frame(rng: np.random.Generator, ihc: bool) -> tuple[Image.Image, draw.Box]:
    view = random_view(rng, ihc)
    layout = rng.choice(["full", "full", "framed", "circle"])
    if layout == "circle":  # the round field of a microscope camera
        diameter = int(rng.integers(560, draw.HEIGHT + 1))
        image = Image.new("RGB", (draw.WIDTH, draw.HEIGHT), (0, 0, 0))
        x0, y0 = (draw.WIDTH - diameter) // 2, (draw.HEIGHT - diameter) // 2
        mask = Image.new("L", (diameter, diameter), 0)
        ImageDraw.Draw(mask).ellipse((0, 0, diameter - 1, diameter - 1), fill=255)
        image.paste(render_view(view, (diameter, diameter)), (x0, y0), mask)
        box = (x0, y0, x0 + diameter, y0 + diameter)
    else:
        image, box = draw.histology_slide(view, str(layout))
    image = photometric(image, rng)
    if rng.random() < 0.3:
        _scale_bar(image, rng)
    return image, box


def _title(rng: np.random.Generator, terms: list[str]) -> str:
    term = str(rng.choice(terms))
    return rng.choice(TITLE_TEMPLATES).format(term[:1].upper() + term[1:], n=rng.integers(1, 30))


def _bullets(rng: np.random.Generator, terms: list[str]) -> list[str]:
    bullets = []
    for _ in range(int(rng.integers(2, 6))):
        if rng.random() < 0.15:
            bullets.append(str(rng.choice(CHATTER)))
            continue
        template = str(rng.choice(BULLET_TEMPLATES))
        picked = [str(t) for t in rng.choice(terms, size=template.count("{}"), replace=False)]
        text = template.format(*picked)
        bullets.append(text[:1].upper() + text[1:])
    return bullets


def histology_with_text_frame(rng: np.random.Generator, terms: list[str]) -> tuple[Image.Image, draw.Box]:
    view = random_view(rng, ihc=bool(rng.random() < 0.4))
    image, box = draw.histology_with_text_slide(
        random_theme(rng), view, _title(rng, terms), _bullets(rng, terms)[:4],
        picture_side=str(rng.choice(["left", "right"])), picture_share=float(rng.uniform(0.45, 0.62)),
    )
    return photometric(image, rng), box


def slide_text_frame(rng: np.random.Generator, terms: list[str]) -> Image.Image:
    theme = random_theme(rng)
    if rng.random() < 0.3:
        surname = rng.choice(["Carter", "Mehta", "Alvarez", "Okafor", "Novak"])
        lecturer = f"Dr. {rng.choice(list('AJMS'))}. {surname}"
        image = draw.title_slide(theme, _title(rng, terms), " ".join(_bullets(rng, terms)[:1]), lecturer)
    else:
        image = draw.text_slide(theme, _title(rng, terms), _bullets(rng, terms))
    return photometric(image, rng)


def person_frame(rng: np.random.Generator) -> Image.Image:
    name = str(rng.choice(PERSON_PHOTOS))
    caption = str(rng.choice(["", "", "Dr. Helen Carter", "Live from the sign-out room", "Q&A"]))
    image = draw.photo_slide(name, caption, (float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7))),
                             float(rng.uniform(1.0, 1.8)))
    if not caption and rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return photometric(image, rng)


def chart_frame(rng: np.random.Generator, terms: list[str]) -> Image.Image:
    """A bar or line chart, as lectures show for survival curves or marker frequencies."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12.8, 7.2), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [str(t) for t in rng.choice(terms, size=int(rng.integers(3, 7)), replace=False)]
    if rng.random() < 0.5:
        colours = [np.array(_colour(rng, (0.4, 0.6), (0.5, 0.9))) / 255 for _ in labels]
        axes.bar(labels, rng.uniform(5, 95, size=len(labels)), color=colours)
        axes.tick_params(axis="x", labelrotation=20)
        axes.set_ylabel("% of cases")
    else:
        months = np.arange(0, 61, 6)
        for label in labels[:3]:
            axes.step(months, np.exp(-months / rng.uniform(20, 200)), where="post", label=label)
        axes.set_xlabel("months")
        axes.set_ylabel("survival")
        axes.legend()
    axes.set_title(_title(rng, terms), fontsize=22)
    axes.tick_params(labelsize=12)
    figure.tight_layout()
    canvas.draw()
    return Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3].copy())


def diagram_frame(rng: np.random.Generator, terms: list[str]) -> Image.Image:
    if rng.random() < 0.3:
        return chart_frame(rng, terms)
    layout = str(rng.choice(["chain", "tree"]))
    count = int(rng.integers(2, 6 if layout == "tree" else 8))
    steps = [str(t)[:1].upper() + str(t)[1:] for t in rng.choice(terms, size=count, replace=False)]
    image = draw.diagram_slide(random_theme(rng), _title(rng, terms), steps, layout=layout,
                               node_fill=_colour(rng, (0.8, 0.92), (0.3, 0.8)))
    return photometric(image, rng)


def desktop_frame(rng: np.random.Generator) -> Image.Image:
    thumbnail = render_view(View(stain=random_stain(rng, ihc=bool(rng.random() < 0.4)),
                                 quarter_turns=int(rng.integers(0, 4))), (256, 256))
    return viewer_screenshot(rng, thumbnail)


def blank_frame(rng: np.random.Generator) -> Image.Image:
    top = np.array(_colour(rng, (0.0, 1.0), (0.0, 0.5)), dtype=float)
    bottom = top if rng.random() < 0.6 else np.array(_colour(rng, (0.0, 1.0), (0.0, 0.5)), dtype=float)
    if rng.random() < 0.3:
        top = bottom = np.full(3, rng.choice([0.0, 255.0]))
    ramp = np.linspace(0, 1, draw.HEIGHT)[:, None, None]
    pixels = top * (1 - ramp) + bottom * ramp + rng.normal(0, rng.uniform(0, 3), (draw.HEIGHT, 1, 3))
    pixels = np.broadcast_to(pixels, (draw.HEIGHT, draw.WIDTH, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def render_frame(label: str, rng: np.random.Generator, text: TextBank) -> tuple[Image.Image, draw.Box | None]:
    match label:
        case "histology_he" | "histology_ihc":
            return histology_frame(rng, ihc=label == "histology_ihc")
        case "histology_with_text":
            return histology_with_text_frame(rng, text.phrases)
        case "slide_text":
            return slide_text_frame(rng, text.phrases), None
        case "person":
            return person_frame(rng), None
        case "diagram":
            return diagram_frame(rng, text.terms), None
        case "desktop":
            return desktop_frame(rng), None
        case "blank":
            return blank_frame(rng), None
    raise ValueError(f"unknown frame class {label!r}; known: {CLASSES}")


def load_labelled_frames(out_dir: Path) -> list[LabelledFrame]:
    out_dir = Path(out_dir)
    listing = json.loads((out_dir / LABELS_FILE).read_text())
    return [
        LabelledFrame(out_dir / f["path"], f["label"], tuple(f["histology_box"]) if f["histology_box"] else None)
        for f in listing["frames"]
    ]


def _is_current(out_dir: Path, per_class: int, seed: int) -> bool:
    try:
        listing = json.loads((out_dir / LABELS_FILE).read_text())
    except (OSError, ValueError):
        return False
    made_by = (listing.get("generator_version"), listing.get("per_class"), listing.get("seed"))
    complete = all((out_dir / f["path"]).exists() for f in listing["frames"])
    return made_by == (GENERATOR_VERSION, per_class, seed) and complete


def generate_labelled_frames(out_dir: Path, per_class: int, seed: int) -> list[tuple[Path, str]]:
    """`per_class` JPEG frames of every class under `out_dir`/<class>/; reuses a finished identical set."""
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    out_dir = Path(out_dir)
    if not _is_current(out_dir, per_class, seed):
        text = TextBank.from_scripts()
        records = []
        for class_index, label in enumerate(CLASSES):
            (out_dir / label).mkdir(parents=True, exist_ok=True)
            for number in range(per_class):
                rng = np.random.default_rng([seed, class_index, number])
                image, box = render_frame(label, rng, text)
                relative = f"{label}/{label}-{number:04d}.jpg"
                image.save(out_dir / relative, quality=int(rng.integers(75, 96)))
                records.append({"path": relative, "label": label, "histology_box": box})
        listing = {"generator_version": GENERATOR_VERSION, "per_class": per_class, "seed": seed, "frames": records}
        partial = out_dir / f".{LABELS_FILE}.partial"
        partial.write_text(json.dumps(listing, indent=1))
        os.replace(partial, out_dir / LABELS_FILE)
    return [(frame.path, frame.label) for frame in load_labelled_frames(out_dir)]

