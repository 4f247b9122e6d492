from pathlib import Path

import pytest

from curation.lexicon import lexicon as lexicon_module
from curation.lexicon.hunspell import expand_dictionary, read_affixes
from curation.lexicon.lexicon import glossary_hotwords, load_lexicon
from curation.lexicon.terms import find_terms, term_present
from curation.lexicon.word_forms import dictionary_forms


def test_lexicon_joins_the_curated_glossary_with_hunspell_medical_and_english_words():
    lexicon = load_lexicon()
    assert lexicon is load_lexicon(), "loaded once per process"
    assert len(lexicon.terms) >= 500
    assert {"stains", "markers", "cells", "diagnoses", "structures", "features"} <= {
        t.category for t in lexicon.terms
    }
    assert sum(len(t.name.split()) >= 3 for t in lexicon.terms) >= 50, "multi-word terms too"
    # hunspell-en-med knows words en_US does not, with en_US's affix rules applied
    assert lexicon.is_medical("desmoplastic") and not lexicon.is_english("desmoplastic")
    assert (
        lexicon.is_medical("melanocytes")
        and lexicon.is_english("running")
        and lexicon.is_english("Stains")
    )
    assert not lexicon.is_known("namoplastic") and not lexicon.is_known("melonocytes")


def small_dictionary(folder: Path) -> tuple[Path, Path]:
    aff = folder / "t.aff"
    aff.write_text(
        "SET UTF-8\nPFX U Y 1\nPFX U 0 un .\nSFX S Y 2\nSFX S 0 s [^y]\nSFX S y ies [^aeiou]y\n"
    )
    dic = folder / "t.dic"
    dic.write_text("2\nbody/S\nerupted/U\nLesion/SU\n")
    return dic, aff


def test_hunspell_forms_are_expanded_with_suffixes_prefixes_and_cross_products(tmp_path: Path):
    dic, aff = small_dictionary(tmp_path)
    forms = expand_dictionary(dic, read_affixes(aff))
    assert {"body", "bodies", "erupted", "unerupted", "Lesions", "unLesion", "unLesions"} <= forms
    assert "bodys" not in forms


def test_expanded_forms_are_kept_per_machine_until_the_dictionary_changes(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    dic, aff = small_dictionary(tmp_path)
    built = dictionary_forms(dic, aff)
    assert {"bodies", "unerupted", "lesions", "unlesions"} <= built, "folded forms"
    (kept,) = (tmp_path / "cache" / "histo-curation").glob("hunspell-t-*.txt")
    kept.write_text("read\nfrom\nthe cache")
    assert dictionary_forms(dic, aff) == {"read", "from", "the cache"}, "a second load expands nothing"
    dic.write_text("1\ngranuloma/S\n")
    assert dictionary_forms(dic, aff) == {"granuloma", "granulomas"}, "a changed dictionary is expanded again"


def test_a_missing_dictionary_fails_with_the_package_to_install(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(lexicon_module, "HUNSPELL_DIR", tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    load_lexicon.cache_clear()
    try:
        with pytest.raises(
            RuntimeError, match=r"en_US\.aff is missing: install the Debian package hunspell-en-us"
        ):
            load_lexicon()
        for name in ("en_US.aff", "en_US.dic"):
            (tmp_path / name).write_text("1\nword\n")
        with pytest.raises(RuntimeError, match="hunspell-en-med"):
            load_lexicon()
    finally:
        load_lexicon.cache_clear()


def test_glossary_hotwords_are_short_and_made_of_the_glossary():
    words = glossary_hotwords().split(", ")
    assert len(glossary_hotwords()) <= 600 and len(glossary_hotwords(120)) <= 120
    assert len(words) >= 30 and "carcinoma" in words
    lexicon = load_lexicon()
    assert all(lexicon.is_medical(w) for w in words)


def test_find_terms_is_case_insensitive_multi_word_and_plural_aware():
    text = (
        "Here you can see LANGHANS giant cells in a caseating granuloma (H and E); the nuclei of "
        "the melanocytes stain for SOX 10 and Ki67, and the Masson's trichrome shows fibrosis."
    )
    assert find_terms(text) == [
        "Langhans giant cell",
        "caseating granuloma",
        "H&E",
        "nucleus",
        "melanocyte",
        "SOX10",
        "Ki-67",
        "Masson trichrome",
        "fibrosis",
    ]
    assert find_terms("Good morning, can the people at the back hear me?") == []


def test_term_present_needs_the_term_spelled_right():
    assert term_present("dermal mitoses", "count the dermal mitosis.")
    assert term_present(
        "squamous intraepithelial lesion", "a low-grade squamous intraepithelial lesion"
    )
    assert not term_present("Langhans giant cells", "lankton's giant cell")
    assert term_present(
        "retraction artefacts", "the retraction artefact"
    )  # not curated: by its own words
    assert not term_present("retraction artefact", "the retraction is an artefact")
