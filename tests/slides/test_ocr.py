import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from curation.slides.ocr import DEBIAN_TESSDATA, TesseractEngine, get_engine
from curation.slides.reading import read_frames
from curation.slides.regions import find_text_lines
from tests.slides.images import labelled_tissue, text_slide, tissue, title_slide

ENGINES = ["tesseract", "rapidocr"]


def test_the_line_finder_finds_each_line_and_nothing_in_bare_tissue():
    slide = text_slide("Special stains", ["Masson trichrome highlights fibrosis", "Reticulin shows the plates"])
    boxes = find_text_lines(slide)
    assert len(boxes) == 3
    assert boxes[0][1] < 110 < boxes[1][1] < boxes[2][1]  # the title in its band, then the bullets
    assert find_text_lines(tissue("he")) == [] and find_text_lines(tissue("ihc")) == []
    (label,) = find_text_lines(labelled_tissue("HER2 3+"))
    assert label[0] < 60 and label[1] < 60 and label[3] < 90


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_reads_titles_bullets_and_labels_on_tissue(engine):
    frames = [
        title_slide("Breast carcinoma", "HER2 and Ki-67 in practice"),
        text_slide("Liver biopsy", ["Masson trichrome highlights fibrosis"]),
        labelled_tissue("Masson trichrome x40"),
        labelled_tissue("HER2 3+", dark=True, stain="ihc"),
        tissue(),
    ]
    read = read_frames(get_engine(engine), frames, min_confidence=0.5)
    texts = [[line.text for line in lines] for lines in read]
    assert texts[0] == ["Breast carcinoma", "HER2 and Ki-67 in practice"]
    assert texts[1][0] == "Liver biopsy" and texts[1][1].endswith("Masson trichrome highlights fibrosis")
    assert texts[2] == ["Masson trichrome x40"]
    assert texts[3] == ["HER2 3+"]
    assert texts[4] == []
    confidences = [line.confidence for lines in read for line in lines]
    assert len(confidences) == 6 and min(confidences) >= 0.5 and max(confidences) <= 1


def test_lines_below_the_confidence_floor_are_dropped():
    frames = [labelled_tissue("Masson trichrome x40")]
    (line,) = read_frames(get_engine("tesseract"), frames, min_confidence=0.0)[0]
    assert read_frames(get_engine("tesseract"), frames, min_confidence=min(1.0, line.confidence + 0.01)) == [[]]


def test_tesseract_reads_the_same_when_videos_read_at_once():
    frames = [labelled_tissue(label) for label in ("Masson trichrome x40", "Congo red x20", "PAS-diastase 400x")]
    alone = [read_frames(get_engine("tesseract"), [frame], min_confidence=0.5) for frame in frames]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda f: read_frames(get_engine("tesseract"), [f], min_confidence=0.5), frames * 4))
    assert [[line.text for line in lines] for (lines,) in alone] == [
        ["Masson trichrome x40"], ["Congo red x20"], ["PAS-diastase 400x"]
    ]
    assert together == alone * 4


def test_the_english_model_is_read_from_tessdata_prefix(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"eng\.traineddata is missing.*TESSDATA_PREFIX"):
        TesseractEngine()
    shutil.copy(Path(DEBIAN_TESSDATA) / "eng.traineddata", tmp_path)
    (line,) = read_frames(TesseractEngine(), [labelled_tissue("Congo red x20")], min_confidence=0.5)[0]
    assert line.text == "Congo red x20"
