"""A whole-slide viewer's window as a lecturer's screen capture shows it: title bar, menus, a
toolbar, a slide list with a small overview thumbnail of the tissue, a status bar, and a main
canvas that holds no tissue (a dialog, a metadata table or an empty drop zone)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from curation.demo.slides import HEIGHT, WIDTH, font

MENUS = ["File", "Edit", "View", "Image", "Annotations", "Analyze", "Tools", "Window", "Help"]
APPS = ["SlideViewer", "ImageScope", "CaseViewer", "QuPath", "NDP.view", "Sedeen Viewer"]
PROPERTIES = [("Scanner", "Aperio AT2"), ("Objective", "40x"), ("MPP", "0.2520"), ("Width", "98,304 px"),
              ("Height", "71,680 px"), ("Stain", "H&E"), ("Block", "A1"), ("Format", "SVS (JPEG)")]


def _palette(dark: bool, rng: np.random.Generator) -> dict[str, tuple[int, int, int]]:
    shade = int(rng.integers(-12, 13))
    if dark:
        base = 45 + shade
        return {"window": (base, base, base + 4), "bar": (base - 15, base - 15, base - 12),
                "panel": (base + 10, base + 10, base + 12), "canvas": (base - 25, base - 25, base - 22),
                "text": (220, 220, 220), "line": (base + 30, base + 30, base + 30)}
    base = 236 + shade // 2
    return {"window": (base, base, base), "bar": (base - 22, base - 22, base - 20),
            "panel": (base + 8, base + 8, base + 8), "canvas": (base - 60, base - 60, base - 58),
            "text": (30, 30, 30), "line": (base - 50, base - 50, base - 50)}


def _slide_name(rng: np.random.Generator) -> str:
    stain = rng.choice(["H&E", "HE", "Ki-67", "HER2", "CD68", "PAS", "ZN"])
    block = f"{rng.choice(list('ABCD'))}{rng.integers(1, 9)}"
    return f"S{rng.integers(18, 25)}-{rng.integers(1000, 99999):05d} {block} {stain}.svs"


def viewer_screenshot(rng: np.random.Generator, thumbnail: Image.Image) -> Image.Image:
    """A slide-viewer window; `thumbnail` is the small overview of the open slide."""
    colours = _palette(bool(rng.random() < 0.4), rng)
    image = Image.new("RGB", (WIDTH, HEIGHT), colours["window"])
    draw = ImageDraw.Draw(image)
    ui, ui_bold = font(15), font(15, bold=True)
    taskbar = 40 if rng.random() < 0.5 else 0
    bottom = HEIGHT - taskbar

    draw.rectangle((0, 0, WIDTH, 30), fill=colours["bar"])
    title = f"{rng.choice(APPS)} - {_slide_name(rng)}"
    draw.text((12, 15), title, font=ui_bold, fill=colours["text"], anchor="lm")
    for k, colour in enumerate([(230, 80, 70), (240, 190, 60), (90, 190, 90)]):
        draw.ellipse((WIDTH - 90 + 26 * k, 8, WIDTH - 76 + 26 * k, 22), fill=colour)
    x = 12
    for menu in MENUS[: int(rng.integers(5, len(MENUS) + 1))]:
        draw.text((x, 44), menu, font=ui, fill=colours["text"], anchor="lm")
        x += int(ui.getlength(menu)) + 22
    draw.rectangle((0, 58, WIDTH, 100), fill=colours["bar"])
    for k in range(int(rng.integers(8, 18))):
        x0 = 10 + 38 * k
        hue = tuple(int(c) for c in rng.integers(60, 200, size=3))
        draw.rounded_rectangle((x0, 64, x0 + 30, 94), radius=5, outline=colours["line"], width=1)
        if k % 3:
            draw.rectangle((x0 + 8, 72, x0 + 22, 86), fill=hue)
        else:
            draw.ellipse((x0 + 8, 72, x0 + 22, 86), outline=hue, width=3)

    panel_w = int(rng.integers(250, 340))
    draw.rectangle((0, 100, panel_w, bottom - 26), fill=colours["panel"])
    draw.line((panel_w, 100, panel_w, bottom - 26), fill=colours["line"], width=2)
    side = int(rng.integers(120, 200))
    thumb_y = bottom - 40 - side
    draw.text((14, 118), "Slides", font=ui_bold, fill=colours["text"], anchor="lm")
    rows = min(int(rng.integers(8, 14)), (thumb_y - 40 - 140) // 24)
    selected = int(rng.integers(0, rows))
    for k in range(rows):
        y = 140 + 24 * k
        if k == selected:
            draw.rectangle((4, y - 2, panel_w - 4, y + 20), fill=(60, 110, 200))
        draw.text((14, y + 9), _slide_name(rng), font=font(13), fill=colours["text"], anchor="lm")
    thumb = thumbnail.resize((side, side))
    draw.text((14, thumb_y - 14), "Overview", font=ui_bold, fill=colours["text"], anchor="lm")
    image.paste(thumb, (14, thumb_y))
    draw.rectangle((14, thumb_y, 14 + side, thumb_y + side), outline=colours["line"], width=2)

    canvas = (panel_w + 2, 100, WIDTH, bottom - 26)
    draw.rectangle(canvas, fill=colours["canvas"])
    _canvas_content(draw, canvas, colours, rng)
    draw.rectangle((0, bottom - 26, WIDTH, bottom), fill=colours["bar"])
    status = f"Zoom {rng.uniform(0.5, 40):.1f}x   x: {rng.integers(0, 99999)}  y: {rng.integers(0, 70000)}   Ready"
    draw.text((12, bottom - 13), status, font=font(13), fill=colours["text"], anchor="lm")
    if taskbar:
        draw.rectangle((0, bottom, WIDTH, HEIGHT), fill=(25, 30, 40))
        for k in range(int(rng.integers(4, 9))):
            draw.rounded_rectangle((12 + 46 * k, bottom + 6, 40 + 46 * k, bottom + 34), radius=6,
                                   fill=tuple(int(c) for c in rng.integers(50, 220, size=3)))
        draw.text((WIDTH - 14, bottom + 20), f"{rng.integers(8, 18)}:{rng.integers(0, 60):02d}",
                  font=ui, fill=(230, 230, 230), anchor="rm")
    return image


def _canvas_content(draw: ImageDraw.ImageDraw, canvas: tuple[int, int, int, int],
                    colours: dict[str, tuple[int, int, int]], rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = canvas
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    choice = rng.integers(0, 3)
    if choice == 0:  # a dialog
        w, h = int(rng.integers(380, 520)), int(rng.integers(180, 260))
        draw.rectangle((cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2), fill=colours["window"],
                       outline=colours["line"], width=2)
        draw.rectangle((cx - w // 2, cy - h // 2, cx + w // 2, cy - h // 2 + 28), fill=colours["bar"])
        draw.text((cx - w // 2 + 10, cy - h // 2 + 14), rng.choice(["Open slide", "Export region", "Calibration"]),
                  font=font(15, bold=True), fill=colours["text"], anchor="lm")
        draw.text((cx - w // 2 + 20, cy - 20), rng.choice(["Loading pyramid levels...", "Select a slide to open",
                                                           "Export the current field of view?"]),
                  font=font(16), fill=colours["text"], anchor="lm")
        for k, label in enumerate(["OK", "Cancel"]):
            bx = cx + w // 2 - 190 + 95 * k
            draw.rounded_rectangle((bx, cy + h // 2 - 50, bx + 80, cy + h // 2 - 18), radius=5,
                                   fill=colours["panel"], outline=colours["line"])
            draw.text((bx + 40, cy + h // 2 - 34), label, font=font(15), fill=colours["text"], anchor="mm")
    elif choice == 1:  # slide properties
        draw.text((x0 + 30, y0 + 30), "Slide properties", font=font(20, bold=True), fill=colours["text"])
        for k, (key, value) in enumerate(PROPERTIES):
            y = y0 + 80 + 34 * k
            draw.line((x0 + 30, y + 28, x1 - 30, y + 28), fill=colours["line"])
            draw.text((x0 + 30, y), key, font=font(17), fill=colours["text"])
            draw.text((x0 + 300, y), value, font=font(17), fill=colours["text"])
    else:  # an empty drop zone
        draw.rounded_rectangle((cx - 260, cy - 90, cx + 260, cy + 90), radius=16, outline=colours["line"], width=3)
        draw.text((cx, cy), "Drag a slide here or use File > Open", font=font(20), fill=colours["text"],
                  anchor="mm")
