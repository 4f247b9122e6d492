"""Slide pictures of a teaching lecture, drawn with Pillow: title, bullet text, diagram, photo,
histology (full screen or framed), histology beside text, and a radiology scan.

Each renderer returns the picture and the box of its histology region (None when it has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from curation.demo.tissue import View, render_view

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]
WIDTH, HEIGHT = 1280, 720
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
NODE_TEXT = (25, 25, 35)
PHOTOS = ("astronaut", "chelsea", "coffee", "camera", "rocket")


@dataclass(frozen=True)
class Theme:
    background: RGB = (255, 255, 255)
    title: RGB = (20, 45, 90)
    text: RGB = (30, 30, 30)
    accent: RGB = (40, 90, 160)
    band: RGB | None = (20, 45, 90)  # colour of the title band; None draws no band
    band_text: RGB = (255, 255, 255)


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def wrap(text: str, face, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and face.getlength(candidate) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def draw_paragraph(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, face,
                   fill: RGB, max_width: float, spacing: float = 1.25) -> float:
    """Draw wrapped text; returns the y just below it."""
    x, y = xy
    line_height = face.size * spacing
    for line in wrap(text, face, max_width):
        draw.text((x, y), line, font=face, fill=fill)
        y += line_height
    return y


def _canvas(theme: Theme) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), theme.background)
    return image, ImageDraw.Draw(image)


def _heading(draw: ImageDraw.ImageDraw, theme: Theme, title: str, x0: int = 0, x1: int = WIDTH,
             size: int = 44) -> int:
    """Title at the top of the area [x0, x1]; returns the y where content may start."""
    if theme.band is not None:
        while size > 24 and font(size, bold=True).getlength(title) > x1 - x0 - 100:
            size -= 2
        draw.rectangle((x0, 0, x1, 110), fill=theme.band)
        draw.text((x0 + 50, 55), title, font=font(size, bold=True), fill=theme.band_text, anchor="lm")
        return 150
    y = draw_paragraph(draw, (x0 + 50, 40), title, font(size, bold=True), theme.title, x1 - x0 - 100)
    draw.line((x0 + 50, y + 10, x1 - 50, y + 10), fill=theme.accent, width=4)
    return int(y) + 40


def title_slide(theme: Theme, title: str, subtitle: str = "", footer: str = "") -> Image.Image:
    image, draw = _canvas(theme)
    draw.rectangle((0, 440, WIDTH, 452), fill=theme.accent)
    y = draw_paragraph(draw, (90, 170), title, font(64, bold=True), theme.title, WIDTH - 180)
    draw_paragraph(draw, (90, y + 20), subtitle, font(34), theme.text, WIDTH - 180)
    draw_paragraph(draw, (90, 500), footer, font(28), theme.text, WIDTH - 180)
    return image


def bullet_list(draw: ImageDraw.ImageDraw, theme: Theme, bullets: list[str], x: int, y: float,
                max_width: float, size: int = 38) -> float:
    face = font(size)
    for bullet in bullets:
        draw.ellipse((x, y + size * 0.35, x + size * 0.4, y + size * 0.75), fill=theme.accent)
        y = draw_paragraph(draw, (x + size, y), bullet, face, theme.text, max_width - size)
        y += size * 0.6
    return y


def text_slide(theme: Theme, title: str, bullets: list[str]) -> Image.Image:
    image, draw = _canvas(theme)
    top = _heading(draw, theme, title)
    bullet_list(draw, theme, bullets, 80, top + 10, WIDTH - 160)
    return image


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float],
           colour: RGB, width: int = 5) -> None:
    draw.line((start, end), fill=colour, width=width)
    direction = np.subtract(end, start) / max(np.hypot(*np.subtract(end, start)), 1e-6)
    normal = np.array([-direction[1], direction[0]])
    tip = np.asarray(end)
    head = [tuple(tip), tuple(tip - 18 * direction + 10 * normal), tuple(tip - 18 * direction - 10 * normal)]
    draw.polygon(head, fill=colour)


def _node(draw: ImageDraw.ImageDraw, theme: Theme, box: tuple[float, float, float, float],
          label: str, fill: RGB) -> None:
    """A rounded box with its label in dark text (node fills are light), shrunk to fit."""
    draw.rounded_rectangle(box, radius=18, fill=fill, outline=theme.accent, width=4)
    size = 28
    while size > 14:
        face = font(size, bold=True)
        lines = wrap(label, face, box[2] - box[0] - 20)
        line_height = face.size * 1.2
        fits = max(face.getlength(line) for line in lines) <= box[2] - box[0] - 16
        if fits and line_height * len(lines) <= box[3] - box[1] - 12:
            break
        size -= 2
    y = (box[1] + box[3]) / 2 - line_height * (len(lines) - 1) / 2
    for line in lines:
        draw.text(((box[0] + box[2]) / 2, y), line, font=face, fill=NODE_TEXT, anchor="mm")
        y += line_height


def diagram_slide(theme: Theme, title: str, steps: list[str], layout: str = "chain",
                  node_fill: RGB = (225, 235, 248), caption: str = "") -> Image.Image:
    """Boxes joined by arrows: a `chain` that wraps into rows, or a `tree` with one root."""
    if len(steps) < 2:
        raise ValueError(f"a diagram needs at least two steps, got {steps!r}")
    image, draw = _canvas(theme)
    top = _heading(draw, theme, title)
    bottom = HEIGHT - (110 if caption else 50)
    if layout == "tree":
        root, children = steps[0], steps[1:]
        root_box = (WIDTH / 2 - 190, top + 10, WIDTH / 2 + 190, top + 140)
        _node(draw, theme, root_box, root, node_fill)
        slot = (WIDTH - 100) / len(children)
        for i, child in enumerate(children):
            cx = 50 + slot * (i + 0.5)
            child_box = (cx - slot / 2 + 15, bottom - 150, cx + slot / 2 - 15, bottom)
            _arrow(draw, ((root_box[0] + root_box[2]) / 2, root_box[3]), (cx, child_box[1] - 4), theme.accent)
            _node(draw, theme, child_box, child, node_fill)
    elif layout == "chain":
        per_row = min(len(steps), 4)
        rows = -(-len(steps) // per_row)
        slot_w = (WIDTH - 100) / per_row
        slot_h = (bottom - top) / rows
        centres = []
        for i, step in enumerate(steps):
            row, col = divmod(i, per_row)
            cx, cy = 50 + slot_w * (col + 0.5), top + slot_h * (row + 0.5)
            _node(draw, theme, (cx - slot_w / 2 + 25, cy - 80, cx + slot_w / 2 - 25, cy + 80), step, node_fill)
            centres.append((cx, cy))
        for (x0, y0), (x1, y1) in zip(centres, centres[1:]):
            if y0 == y1:
                _arrow(draw, (x0 + slot_w / 2 - 23, y0), (x1 - slot_w / 2 + 21, y1), theme.accent)
            else:
                _arrow(draw, (x0, y0 + 82), (x1, y1 - 84), theme.accent)
    else:
        raise ValueError(f"unknown diagram layout {layout!r}; use 'chain' or 'tree'")
    if caption:
        draw_paragraph(draw, (60, HEIGHT - 90), caption, font(26), theme.text, WIDTH - 120)
    return image


@lru_cache(maxsize=8)
def photo(name: str) -> Image.Image:
    from skimage import data

    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; known: {PHOTOS}")
    return Image.fromarray(getattr(data, name)()).convert("RGB")


def fill_frame(picture: Image.Image, size: tuple[int, int], center: tuple[float, float] = (0.5, 0.5),
               zoom: float = 1.0) -> Image.Image:
    """Crop `picture` to the aspect of `size` around `center` (fractions), zoomed in by `zoom`."""
    width, height = picture.size
    aspect = size[0] / size[1]
    crop_w = min(width, height * aspect) / zoom
    crop_h = crop_w / aspect
    cx = min(max(center[0] * width, crop_w / 2), width - crop_w / 2)
    cy = min(max(center[1] * height, crop_h / 2), height - crop_h / 2)
    box = (cx - crop_w / 2, cy - crop_h / 2, cx + crop_w / 2, cy + crop_h / 2)
    return picture.resize(size, Image.Resampling.LANCZOS, box=box)


def photo_slide(name: str, caption: str = "", center: tuple[float, float] = (0.5, 0.5),
                zoom: float = 1.0) -> Image.Image:
    """A full-screen photo (the lecturer's camera) with an optional name banner."""
    image = fill_frame(photo(name), (WIDTH, HEIGHT), center, zoom)
    if caption:
        banner = Image.new("RGBA", (WIDTH, 90), (15, 25, 45, 190))
        image.paste(banner, (0, HEIGHT - 130), banner)
        ImageDraw.Draw(image).text((50, HEIGHT - 85), caption, font=font(32, bold=True),
                                   fill=(255, 255, 255), anchor="lm")
    return image


def scan_slide(scan: Image.Image, title: str) -> Image.Image:
    """A radiology image on black, as a reading room shows it, with the title in the dark left margin."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (0, 0, 0))
    x0 = WIDTH - HEIGHT - 40
    image.paste(scan.resize((HEIGHT, HEIGHT), Image.Resampling.LANCZOS), (x0, 0))
    draw_paragraph(ImageDraw.Draw(image), (40, 60), title, font(34, bold=True), (235, 235, 235), x0 - 80)
    return image


def title_band(image: Image.Image, title: str, height: int = 84) -> None:
    """A slide title in white on a dark band across the top, over the picture."""
    ImageDraw.Draw(image).rectangle((0, 0, WIDTH, height), fill=(15, 25, 45))
    size = 36
    while size > 22 and font(size, bold=True).getlength(title) > WIDTH - 100:
        size -= 2
    ImageDraw.Draw(image).text((50, height // 2), title, font=font(size, bold=True), fill=(255, 255, 255),
                               anchor="lm")


def label_box(picture: Box, label: str) -> Box:
    """Where the tag of `label` goes: the bottom left corner of the picture."""
    x, bottom = picture[0] + 20, picture[3] - 20
    return x, bottom - 50, x + int(font(30, bold=True).getlength(label)) + 24, bottom


def picture_label(image: Image.Image, picture: Box, label: str) -> None:
    """The stain and magnification in black on a white tag at the picture's bottom left corner."""
    tag = label_box(picture, label)
    ImageDraw.Draw(image).rectangle(tag, fill=(255, 255, 255))
    ImageDraw.Draw(image).text((tag[0] + 12, (tag[1] + tag[3]) // 2), label, font=font(30, bold=True),
                               fill=(0, 0, 0), anchor="lm")


def histology_slide(view: View, layout: str = "full", title: str = "", label: str = "") -> tuple[Image.Image, Box]:
    """A microscope field: `full` screen, or `framed` as a square camera image on black."""
    if layout == "full":
        image, box = render_view(view, (WIDTH, HEIGHT)), (0, 0, WIDTH, HEIGHT)
    elif layout == "framed":
        image = Image.new("RGB", (WIDTH, HEIGHT), (12, 12, 12))
        x0 = (WIDTH - HEIGHT) // 2
        image.paste(render_view(view, (HEIGHT, HEIGHT)), (x0, 0))
        box = (x0, 0, x0 + HEIGHT, HEIGHT)
    else:
        raise ValueError(f"unknown histology layout {layout!r}; use 'full' or 'framed'")
    if title:
        title_band(image, title)
    if label:
        picture_label(image, box, label)
    return image, box


def histology_with_text_slide(theme: Theme, view: View, title: str, bullets: list[str],
                              picture_side: str = "left", picture_share: float = 0.55,
                              label: str = "") -> tuple[Image.Image, Box]:
    """A tissue picture filling one side, the title and bullets on the other."""
    if picture_side not in ("left", "right"):
        raise ValueError(f"picture_side must be 'left' or 'right', got {picture_side!r}")
    image, draw = _canvas(theme)
    margin = 30
    picture_w = int(WIDTH * picture_share) - 2 * margin
    x0 = margin if picture_side == "left" else WIDTH - margin - picture_w
    box = (x0, margin, x0 + picture_w, HEIGHT - margin)
    image.paste(render_view(view, (picture_w, HEIGHT - 2 * margin)), box[:2])
    if label:
        picture_label(image, box, label)
    text_x0, text_x1 = (box[2], WIDTH) if picture_side == "left" else (0, box[0])
    plain = Theme(**{**theme.__dict__, "band": None})
    top = _heading(draw, plain, title, text_x0, text_x1, size=40)
    bullet_list(draw, theme, bullets, text_x0 + 50, top, text_x1 - text_x0 - 90, size=30)
    return image, box


@lru_cache(maxsize=1)
def cursor_sprite() -> Image.Image:
    """A white arrow pointer with a black outline, tip at (1, 1)."""
    sprite = Image.new("RGBA", (26, 38), (0, 0, 0, 0))
    outline = [(1, 1), (1, 31), (8, 24), (13, 36), (18, 34), (13, 22), (23, 22)]
    ImageDraw.Draw(sprite).polygon(outline, fill=(255, 255, 255, 255), outline=(0, 0, 0, 255), width=2)
    return sprite


def cursor_position(box: Box, phase: float) -> tuple[int, int]:
    """Where the pointer is, `phase` in [0, 1) through its tour of `box`; it never rests."""
    x0, y0, x1, y1 = box
    angle = 2 * np.pi * phase
    x = 0.5 + 0.38 * np.sin(3 * angle)
    y = 0.5 + 0.36 * np.sin(2 * angle + 0.6)
    return int(x0 + x * (x1 - x0)), int(y0 + y * (y1 - y0))
