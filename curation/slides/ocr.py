"""OCR engines: each reads the line crops that `regions.find_text_lines` cut out of the frames.

Engines read lines, not frames: the cheap line finder skips frames without text (most histology)
and spares the engines their own, slow, page analysis. An engine is loaded once per process.

- `tesseract`: tesseract 5 (LSTM) in this process, through tesserocr's wheel, with the English
  model of Debian's tesseract-ocr-eng; each line dark on light, read as a uniform block of text
  (`PSM.SINGLE_BLOCK`; read as a single line, `bench/ocr.py`'s words were read 0.88 against 0.95).
  In process it costs half the CPU of one `tesseract` command per video on the lines stacked into
  one picture: the command's start-up (0.07 s) and the picture file were the other half.
- `rapidocr`: the PP-OCRv4 line recogniser that the rapidocr-onnxruntime wheel ships, on one
  ONNX Runtime thread.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from curation.slides.settings import EngineName

Read = tuple[str, float]  # a line's text and its confidence in [0, 1]
# Tesseract reads each line scaled to LINE_HEIGHT, above the 36 rows its English LSTM reads (lines of
# 24-32 px read 0.91 of bench/ocr.py's words, of 34-48 px 0.93-0.96, at nearly the same CPU), with
# MARGIN pixels of white around it.
LINE_HEIGHT = 40
MARGIN = 10
DEBIAN_TESSDATA = "/usr/share/tesseract-ocr/5/tessdata"  # where tesseract-ocr-eng puts the English model


class OcrEngine(Protocol):
    engine_id: str

    def read(self, crops: list[np.ndarray]) -> list[Read]:
        """The text of each line crop (grey, or RGB), "" where nothing was read."""
        ...


def dark_on_light(grey: np.ndarray) -> np.ndarray:
    """The crop with a light ground: one whose border is nearer its darkest grey is inverted."""
    border = np.median(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]))
    return 255 - grey if border - grey.min() < grey.max() - border else grey


class TesseractEngine:
    def __init__(self) -> None:
        import tesserocr

        tessdata = Path(os.environ.get("TESSDATA_PREFIX", DEBIAN_TESSDATA))
        if not (tessdata / "eng.traineddata").is_file():
            raise FileNotFoundError(
                f"tesseract's English model {tessdata / 'eng.traineddata'} is missing: install Debian's "
                "tesseract-ocr-eng, or set TESSDATA_PREFIX to a folder holding eng.traineddata"
            )
        self.api = tesserocr.PyTessBaseAPI(path=str(tessdata), lang="eng", psm=tesserocr.PSM.SINGLE_BLOCK)
        self.api.SetVariable("tessedit_do_invert", "0")
        self.engine_id = "tesseract/" + tesserocr.tesseract_version().split()[1]
        self.lock = threading.Lock()  # one recogniser, and stages of several videos may read at once

    def read(self, crops: list[np.ndarray]) -> list[Read]:
        with self.lock:
            return [self._read_line(crop) for crop in crops]

    def _read_line(self, crop: np.ndarray) -> Read:
        grey = dark_on_light(crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY))
        scale = LINE_HEIGHT / grey.shape[0]
        line = cv2.resize(grey, (max(1, round(grey.shape[1] * scale)), LINE_HEIGHT),
                          interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        # raw bytes, not a PIL image, which tesserocr would write out as a BMP file in memory
        page = np.ascontiguousarray(np.pad(line, MARGIN, constant_values=255))
        self.api.SetImageBytes(page.tobytes(), page.shape[1], page.shape[0], 1, page.shape[1])
        text = " ".join(self.api.GetUTF8Text().split())
        return (text, self.api.MeanTextConf() / 100) if text else ("", 0.0)


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
        bgr = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR if c.ndim == 2 else cv2.COLOR_RGB2BGR) for c in crops]
        reads, _ = self.recogniser(bgr)
        return [(text.strip(), min(1.0, max(0.0, float(score)))) for text, score in reads]


@cache
def get_engine(name: EngineName) -> OcrEngine:
    """The engine, loaded once per process."""
    if name == "tesseract":
        return TesseractEngine()
    if name == "rapidocr":
        return RapidOcrEngine()
    raise ValueError(f"unknown OCR engine {name!r}; use 'tesseract' or 'rapidocr'")
