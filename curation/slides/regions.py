"""Find the text lines of a frame cheaply, so OCR reads only them and skips frames without text.

Text on a slide is thin, high-contrast strokes on a flat ground; tissue is texture without one.
The frame is read in grey at a reduced width. Thin strokes, dark on light or light on dark (the
morphological black-hat and top-hat, which ignore the plain edges of boxes and pictures), are
kept where they mostly touch flat ground, which drops tissue, even tissue right beside a label.
Letters are joined into words, words on one row into lines, and a line must have a line's shape
and, between its letters, nearly one grey level.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]

ANALYSIS_WIDTH = 640
STROKE_LEVEL = 60  # grey levels (of 255) a stroke stands out from its surroundings
STROKE_WIDTH = 7  # strokes up to this wide at the analysis width (bold 64 pt titles on 1280 frames)
FLAT_LEVELS = 16  # ground: grey varies by at most this much across 3x3 pixels, or around its median
MIN_GROUND_TOUCH = 0.5  # share of a letter's outline on flat ground
MIN_HEIGHT, MAX_HEIGHT = 6, 60  # line heights at the analysis width: 12-120 px on a 1280 frame
MAX_WORD = 4  # touching letters span at most this many line heights
MAX_ELONGATION = 12  # a mark longer than this many times its height is a rule, not a hyphen
WORD_GAP = 1.0  # words of one line are at most this many line heights apart
MIN_FLAT_SHARE = 0.8  # share of a line's pixels between its letters that must be ground


def grey_at_width(image: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """The frame in grey at `width` (never enlarged), and the scale from it back to the frame."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    scale = min(1.0, width / grey.shape[1])
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return grey, 1.0 / scale


def _touching_ground(marks: np.ndarray, ground: np.ndarray) -> np.ndarray:
    """The marks of a letter's size whose outline, two to three pixels out (past their anti-aliased
    edge), is mostly flat ground; where neighbours' outlines overlap, a pixel counts for one of them.
    Rules, arrows and box outlines are too long for letters (touching letters make a word at most)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(marks, connectivity=8)
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    letter_sized = (height <= MAX_HEIGHT) & (width <= MAX_WORD * MAX_HEIGHT) & (width <= MAX_ELONGATION * height)
    near = cv2.dilate(marks, np.ones((5, 5), np.uint8))
    grown = cv2.dilate(labels.astype(np.float32), np.ones((7, 7), np.uint8)).astype(np.int32)
    outline = (near == 0) & (grown > 0)
    touching = np.bincount(grown[outline], weights=ground[outline], minlength=count)
    around = np.bincount(grown[outline], minlength=count)
    keep = letter_sized & (touching >= MIN_GROUND_TOUCH * np.maximum(around, 1))
    keep[0] = False
    return keep[labels]


def _letters(grey: np.ndarray) -> np.ndarray:
    """A mask of the strokes that mostly touch flat ground, dark ones and light ones apart (a light
    gap between dark letters and tissue is no letter)."""
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (STROKE_WIDTH, STROKE_WIDTH))
    ground = cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) <= FLAT_LEVELS
    letters = np.zeros(grey.shape, bool)
    for operation in (cv2.MORPH_BLACKHAT, cv2.MORPH_TOPHAT):
        marks = (cv2.morphologyEx(grey, operation, square) >= STROKE_LEVEL).astype(np.uint8)
        letters |= _touching_ground(marks, ground)
    return letters.astype(np.uint8)


def _words(letters: np.ndarray) -> list[list[int]]:
    joined = cv2.morphologyEx(letters, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    return [[int(x), int(y), int(x + w), int(y + h)] for x, y, w, h, _ in stats[1:count]]


def _same_line(line: list[int], word: list[int]) -> bool:
    height = max(line[3] - line[1], word[3] - word[1])
    overlap = min(line[3], word[3]) - max(line[1], word[1])
    return overlap >= 0.5 * min(line[3] - line[1], word[3] - word[1]) and word[0] - line[2] <= WORD_GAP * height


def _lines(words: list[list[int]]) -> list[list[int]]:
    lines: list[list[int]] = []
    for word in sorted(words):
        for line in lines:
            if _same_line(line, word):
                line[:] = [min(line[0], word[0]), min(line[1], word[1]), max(line[2], word[2]), max(line[3], word[3])]
                break
        else:
            lines.append(list(word))
    return lines


def _flat_ground(grey: np.ndarray, letters: np.ndarray, box: list[int]) -> bool:
    """Whether the pixels of the box away from its letters are nearly all one grey level."""
    x0, y0, x1, y1 = box
    away = cv2.dilate(letters[y0:y1, x0:x1], np.ones((3, 3), np.uint8)) == 0
    between = grey[y0:y1, x0:x1][away].astype(np.int16)
    return between.size > 0 and float(np.mean(np.abs(between - np.median(between)) <= FLAT_LEVELS)) >= MIN_FLAT_SHARE


def find_text_lines(image: np.ndarray) -> list[Box]:
    """Boxes (x0, y0, x1, y1, in frame pixels) of the text lines, top to bottom, left to right."""
    grey, back = grey_at_width(image, ANALYSIS_WIDTH)
    letters = _letters(grey)
    boxes = []
    for box in _lines(_words(letters)):
        x0, y0, x1, y1 = box
        if MIN_HEIGHT <= y1 - y0 <= MAX_HEIGHT and x1 - x0 >= y1 - y0 and _flat_ground(grey, letters, box):
            boxes.append((int(x0 * back), int(y0 * back), int(np.ceil(x1 * back)), int(np.ceil(y1 * back))))
    return sorted(boxes, key=lambda b: (b[1] // 8, b[0]))
