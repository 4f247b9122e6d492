"""OCR engines: each reads the line crops that `regions.find_text_lines` cut out of the frames.

Engines read lines, not frames: the cheap line finder skips frames without text (most histology)
and spares the engines their own, slow, page analysis. All lines of a video go to the engine in
one call, so its start-up is paid once per video; an engine is loaded once per process.

- `tesseract`: Debian's tesseract 5 (LSTM), one process per call on the lines stacked into one
  picture, dark on light, read as a uniform block (`--psm 6`). It runs on one OpenMP thread: its
  default spins a thread per core, which on shared cores costs four times the CPU for no gain.
- `rapidocr`: the PP-OCRv4 line recogniser that the rapidocr-onnxruntime wheel ships, on one
  ONNX Runtime thread.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from curation.slides.settings import EngineName

Read = tuple[str, float]  # a line's text and its confidence in [0, 1]
LINE_HEIGHT = 32  # tesseract's stack: every line scaled to this height...
GAP = 20  # ...with this many white rows between lines, so it never joins two of them
MAX_STACK_HEIGHT = 30000  # tesseract refuses pictures of 32k rows or more


class OcrEngine(Protocol):
    engine_id: str

    def read(self, crops: list[np.ndarray]) -> list[Read]:
        """The text of each RGB line crop, "" where nothing was read."""
        ...


def dark_on_light(grey: np.ndarray) -> np.ndarray:
    """The crop with a light ground: one whose border is nearer its darkest grey is inverted."""
    border = np.median(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]))
    return 255 - grey if border - grey.min() < grey.max() - border else grey


class TesseractEngine:
    def __init__(self) -> None:
        version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=True)
        self.engine_id = "tesseract/" + version.stdout.split()[1]
        self.env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def read(self, crops: list[np.ndarray]) -> list[Read]:
        reads: list[Read] = []
        start = 0
        while start < len(crops):
            stack, rows = [], []
            height = GAP
            while start + len(stack) < len(crops) and height < MAX_STACK_HEIGHT - LINE_HEIGHT * 4:
                grey = dark_on_light(cv2.cvtColor(crops[start + len(stack)], cv2.COLOR_RGB2GRAY))
                scale = LINE_HEIGHT / grey.shape[0]
                line = cv2.resize(grey, (max(1, round(grey.shape[1] * scale)), LINE_HEIGHT),
                                  interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
                stack.append(line)
                rows.append((height, height + LINE_HEIGHT))
                height += LINE_HEIGHT + GAP
            reads += self._read_stack(stack, rows, height)
            start += len(stack)
        return reads

    def _read_stack(self, lines: list[np.ndarray], rows: list[tuple[int, int]], height: int) -> list[Read]:
        canvas = np.full((height, max(line.shape[1] for line in lines) + 2 * GAP), 255, np.uint8)
        for line, (top, bottom) in zip(lines, rows):
            canvas[top:bottom, GAP : GAP + line.shape[1]] = line
        with tempfile.TemporaryDirectory(prefix="ocr-") as folder:
            picture = Path(folder) / "lines.png"
            cv2.imwrite(str(picture), canvas)
            result = subprocess.run(
                ["tesseract", str(picture), "stdout", "--psm", "6", "-c", "tessedit_do_invert=0", "tsv"],
                capture_output=True, text=True, env=self.env, check=True,
            )
        words: list[list[tuple[str, float]]] = [[] for _ in lines]
        for row in csv.DictReader(io.StringIO(result.stdout), delimiter="\t", quoting=csv.QUOTE_NONE):
            text, conf = (row.get("text") or "").strip(), float(row.get("conf") or -1)
            if not text or conf < 0:
                continue
            middle = int(row["top"]) + int(row["height"]) / 2
            line = next((i for i, (top, bottom) in enumerate(rows) if top - GAP / 2 <= middle < bottom + GAP / 2), None)
            if line is not None:
                words[line].append((text, conf / 100))
        return [
            (" ".join(w for w, _ in found), sum(c for _, c in found) / len(found)) if found else ("", 0.0)
            for found in words
        ]


class RapidOcrEngine:
    def __init__(self) -> None:
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
        from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
        from rapidocr_onnxruntime.utils import read_yaml, update_model_path

        config = update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"]
        config.update(intra_op_num_threads=1, inter_op_num_threads=1)
        self.recogniser = TextRecognizer(config)
        self.engine_id = "rapidocr/" + Path(config["model_path"]).stem

    def read(self, crops: list[np.ndarray]) -> list[Read]:
        if not crops:
            return []
        reads, _ = self.recogniser([np.ascontiguousarray(c[:, :, ::-1]) for c in crops])  # it reads BGR
        return [(text.strip(), min(1.0, max(0.0, float(score)))) for text, score in reads]


@cache
def get_engine(name: EngineName) -> OcrEngine:
    """The engine, loaded once per process."""
    if name == "tesseract":
        return TesseractEngine()
    if name == "rapidocr":
        return RapidOcrEngine()
    raise ValueError(f"unknown OCR engine {name!r}; use 'tesseract' or 'rapidocr'")
