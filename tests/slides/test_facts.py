import pytest

from curation.lexicon.lexicon import load_lexicon
from curation.slides.facts import find_magnification, find_stains


@pytest.mark.parametrize(("text", "stains"), [
    ("Masson trichrome x40", ["Masson trichrome"]),
    ("H&E and PAS with diastase", ["H&E", "PAS-diastase"]),
    ("Ziehl-Neelsen stain: acid-fast bacilli", ["Ziehl-Neelsen"]),
    ("Congo red, apple-green birefringence", ["Congo red"]),  # the birefringence is no stain
    ("eosinophilic cytoplasm, HER2 3+", []),
])
def test_stains_are_the_stain_names_of_the_lexicon(text, stains):
    assert find_stains(text, load_lexicon()) == stains


@pytest.mark.parametrize(("text", "magnification"), [
    ("Masson trichrome x40", "x40"),
    ("H&E, 400x", "x400"),
    ("40X objective", "x40"),
    ("× 20, Ki-67", "x20"),
    ("mitoses per 10 HPF", "HPF"),
    ("high-power field", "HPF"),
    ("x40, then 100x oil", "x40"),
    ("HER2 3+", None),
    ("a 3x3 grid", None),  # 3 is no objective
    ("Figure 1.5x", None),
    ("Ki-67 20%", None),
])
def test_magnification_is_read_in_its_usual_spellings(text, magnification):
    assert find_magnification(text) == magnification
