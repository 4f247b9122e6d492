"""OCR engines on rendered slides: word accuracy and seconds per frame.

    .venv/bin/python bench/ocr.py [--engines tesseract,rapidocr] [--repeat 1]

The frames are every slide of the demo lectures (titles, bullet lists, diagrams, photos with a
name banner, histology with and without text beside it) and microscope fields with a label on
the picture ("Masson trichrome x40", "HER2 3+", white on dark too). Word accuracy is the share of
the words drawn that the engine read (as multisets of lower-case tokens); extra words are words
read that were not drawn, per frame. Seconds are per frame over the whole mix, line finding
included: CPU (this process and any child process of the engine) and wall time.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

import cv2
import numpy as np
from PIL import ImageDraw
from rich.console import Console
from rich.table import Table

from curation.demo import slides as draw
from curation.demo.build import render
from curation.demo.scripts import load_scripts
from curation.demo.tissue import View
from curation.lexicon.tokens import normalize_tokens
from curation.slides.ocr import get_engine
from curation.slides.reading import read_frames

LABELS = [
    ("Masson trichrome x40", "he", False), ("HER2 3+", "ihc", False), ("Ki-67 x20", "ihc", True),
    ("Ziehl-Neelsen stain, 100x oil", "he-pale", False), ("PAS-diastase 400x", "he-dark", True),
    ("Congo red, HPF", "he", False),
]


def drawn_text(spec) -> str:
    fields = [getattr(spec, name, "") for name in ("title", "subtitle", "footer", "caption")]
    lists = [item for name in ("bullets", "steps") for item in getattr(spec, name, []) or []]
    return " ".join(str(f) for f in fields + lists if f)


def labelled_field(label: str, stain: str, dark: bool, corner: int) -> np.ndarray:
    image, _ = draw.histology_slide(View(stain=stain, center=(0.3 + 0.1 * corner, 0.5), zoom=1.5))
    canvas = ImageDraw.Draw(image)
    face = draw.font(34, bold=True)
    width = int(face.getlength(label))
    x = 24 if corner % 2 == 0 else draw.WIDTH - width - 48
    y = 24 if corner < 2 else draw.HEIGHT - 80
    canvas.rectangle((x, y, x + width + 24, y + 56), fill=(20, 20, 20) if dark else (255, 255, 255))
    canvas.text((x + 12, y + 28), label, font=face, fill=(255, 255, 255) if dark else (0, 0, 0), anchor="lm")
    return np.asarray(image)


def bench_frames() -> list[tuple[np.ndarray, str]]:
    """Each frame in grey, as the slides stage decodes keyframes, with the text drawn on it."""
    frames = []
    for script in load_scripts():
        for index in range(len(script.slides)):
            frames.append((np.asarray(render(script, index).image), drawn_text(script.shown(index))))
    for corner, (label, stain, dark) in enumerate(LABELS):
        frames.append((labelled_field(label, stain, dark, corner % 4), label))
    return [(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), text) for image, text in frames]


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(engine_name: str, frames: list[tuple[np.ndarray, str]], repeat: int) -> dict[str, float]:
    engine = get_engine(engine_name)
    read_frames(engine, [frames[0][0]], 0.0)  # warm up: first inference allocates
    cpu, wall = cpu_seconds(), time.perf_counter()
    for _ in range(repeat):
        read = read_frames(engine, (image for image, _ in frames), 0.0)
    cpu, wall = (cpu_seconds() - cpu) / repeat, (time.perf_counter() - wall) / repeat
    drawn_words = found = extra = 0
    for (_, truth), lines in zip(frames, read):
        want = Counter(normalize_tokens(truth))
        got = Counter(normalize_tokens(" ".join(line.text for line in lines)))
        drawn_words += sum(want.values())
        found += sum((want & got).values())
        extra += sum((got - want).values())
    return {
        "word accuracy": found / drawn_words,
        "extra words / frame": extra / len(frames),
        "CPU s / frame": cpu / len(frames),
        "wall s / frame": wall / len(frames),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="tesseract,rapidocr")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    frames = bench_frames()
    table = Table(title=f"OCR on {len(frames)} rendered frames ({sum(bool(t) for _, t in frames)} with text)")
    figures = {name: measure(name, frames, args.repeat) for name in args.engines.split(",")}
    table.add_column("engine")
    for column in next(iter(figures.values())):
        table.add_column(column, justify="right")
    for name, row in figures.items():
        table.add_row(get_engine(name).engine_id, *(f"{value:.3f}" for value in row.values()))
    Console().print(table)


if __name__ == "__main__":
    main()
