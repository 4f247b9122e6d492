"""The narration scripts: markup parsing, validation, and the slide mix every lecture must have."""

import pytest
from pydantic import ValidationError

from curation.demo.scripts import (
    HISTOLOGY_KINDS,
    LectureScript,
    load_scripts,
    parse_line,
    written_lines,
)

SCRIPTS = load_scripts()


def test_markup_gives_spoken_text_terms_and_roi_flag():
    line = parse_line("> Here you can see [keratin pearls] and [intercellular bridges].")
    assert line.text == "Here you can see keratin pearls and intercellular bridges."
    assert line.terms == ("keratin pearls", "intercellular bridges")
    assert line.is_roi
    capital = parse_line("[Mitoses|mitoses] are common.")
    assert (capital.text, capital.terms) == ("Mitoses are common.", ("mitoses",))
    plain = parse_line("Good morning everyone.")
    assert (plain.text, plain.terms, plain.is_roi) == ("Good morning everyone.", (), False)


def test_unbalanced_term_bracket_is_rejected():
    with pytest.raises(ValueError, match="malformed"):
        parse_line("nests of [basaloid cells with scant cytoplasm")


def _lecture(*slides, **fields) -> dict:
    return {"video_id": "x", "title": "t", "theme": {}, "page": {"description": "d"}, "slides": list(slides), **fields}


TEXT = {"kind": "text", "title": "t", "bullets": [], "say": ["Hello."]}
HISTO = {"kind": "histology", "view": {}, "say": ["This is [stroma]."]}


@pytest.mark.parametrize(
    "slides, message",
    [
        ([TEXT, {"kind": "repeat", "of": 1, "say": ["Again."]}], "not an earlier original slide"),
        ([TEXT, {**HISTO, "transition_in": "crossfade"}], "only histology slides may"),
        ([HISTO, {**HISTO, "cursor": True, "transition_in": "crossfade"}], "must not cross-fade"),
        ([{**HISTO, "view": {"zoom": 4}}], "less than or equal to 2.5"),
        ([{**TEXT, "say": []}], "at least 1 item"),
        ([{**HISTO, "label": {}}], "names a stain, a marker or a magnification"),
        ([{**HISTO, "label": {"stain": "H&E", "magnification": "40x"}}], "should match pattern"),
    ],
)
def test_invalid_scripts_are_rejected_with_the_reason(slides, message):
    with pytest.raises(ValidationError, match=message):
        LectureScript.model_validate(_lecture(*slides))


@pytest.mark.parametrize(
    "audio, message",
    [
        ({"conditions": ["fast_speech"]}, "fast_speech means a rate of 190"),
        ({"words_per_minute": 200}, "fast_speech means a rate of 190"),
        ({"conditions": ["low_bitrate"]}, "low_bitrate means audio of 32 kb/s"),
        ({"conditions": ["thunder"]}, "music"),
    ],
)
def test_audio_conditions_must_match_their_settings(audio, message):
    with pytest.raises(ValidationError, match=message):
        LectureScript.model_validate(_lecture(HISTO, audio=audio))


def test_a_label_reads_stain_marker_and_magnification_in_that_order():
    script = LectureScript.model_validate(_lecture({**HISTO, "label": {"marker": "HER2 3+", "magnification": "x20"}}))
    assert script.slides[0].label.text == "HER2 3+ x20"
    assert written_lines(script.slides[0]) == ["HER2 3+ x20"]


@pytest.mark.parametrize("script", SCRIPTS + load_scripts("hard"), ids=lambda s: s.video_id)
def test_every_stain_on_a_label_is_a_stain_the_lexicon_knows(script):
    from curation.lexicon.lexicon import load_lexicon

    stains = {t.name for t in load_lexicon().terms if t.category == "stains"}
    labels = [s.label for s in script.slides if getattr(s, "label", None)]
    assert labels and {label.stain for label in labels if label.stain} <= stains


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.video_id)
def test_every_lecture_has_the_required_slide_mix(script):
    kinds = [script.shown(i).kind for i in range(len(script.slides))]
    assert kinds[0] == "title"
    assert {"photo", "diagram", "text", "histology_with_text"} <= set(kinds)
    assert kinds.count("histology") >= 4
    cursors = [s for s in script.slides if getattr(s, "cursor", False)]
    assert len(cursors) == 1 and cursors[0].kind == "histology"
    crossfades = [i for i, s in enumerate(script.slides) if s.transition_in == "crossfade"]
    assert crossfades and all(kinds[i - 1] in HISTOLOGY_KINDS and kinds[i] in HISTOLOGY_KINDS for i in crossfades)
    repeats = [s for s in script.slides if s.kind == "repeat"]
    assert len(repeats) == 1 and kinds[repeats[0].of] == "histology"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.video_id)
def test_every_lecture_mixes_medical_roi_and_chatter_sentences(script):
    lines = [line for slide in script.slides for line in slide.lines()]
    assert sum(bool(line.terms) for line in lines) >= len(lines) / 2
    assert sum(line.is_roi for line in lines) >= 6
    assert sum(not line.terms and not line.is_roi for line in lines) >= 4
    for index, slide in enumerate(script.slides):
        if script.shown(index).kind in HISTOLOGY_KINDS and slide.kind != "repeat":
            assert len(slide.say) >= 2, f"{script.video_id} slide {index} says too little"


def test_lectures_have_distinct_ids_and_topics():
    assert len({s.video_id for s in SCRIPTS}) == len(SCRIPTS) >= 3
    term_sets = [{t for slide in s.slides for line in slide.lines() for t in line.terms} for s in SCRIPTS]
    for a in range(len(term_sets)):
        for b in range(a + 1, len(term_sets)):
            assert len(term_sets[a] & term_sets[b]) < len(term_sets[a]) / 3
