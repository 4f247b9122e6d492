from curation.lexicon.lexicon import load_lexicon
from curation.text.edits import apply_corrections
from curation.text.guard import guard_corrections, guard_extraction
from curation.text.refiner import Extraction, Proposal

TEXTS = [
    "The tumour shows namoplastic stroma.",
    "Here you can see lankton's giant cell.",
    "The cells are positive for CD30.",
    "Notice the Camino bodies in the epidermis.",
]


def _guard(*proposals: Proposal):
    return guard_corrections(list(proposals), TEXTS, load_lexicon(), max_distance=0.34)


def test_corrections_are_applied_only_when_faithful():
    result = _guard(
        Proposal("namoplastic stroma", "desmoplastic stroma", "llm-conditioned", (0,)),
        Proposal("melonocytes", "melanocytes", "llm-unconditioned", (0, 1)),
        Proposal("cells", "carcinoma", "llm-unconditioned", (2,)),
        Proposal("lankton's", "Langhans giant cells with metastases", "llm-conditioned", (1,)),
        Proposal("CD30", "CD15", "llm-unconditioned", (2,)),
        Proposal("Camino bodies", "Kamino bodies", "llm-unconditioned", (3,)),
    )
    assert dict(result.by_sentence) == {0: [("namoplastic stroma", "desmoplastic stroma")]}
    reasons = {c.wrong: c.reason for c in result.records if not c.applied}
    assert reasons["melonocytes"] == "'melonocytes' is not in the transcript"
    assert reasons["cells"].startswith("'carcinoma' neither looks nor sounds like 'cells'")
    assert (
        reasons["lankton's"] == "'Langhans giant cells with metastases' adds words to 'lankton's'"
    )
    assert reasons["CD30"] == "'CD30' is already a known term"
    assert reasons["Camino bodies"] == "'Kamino bodies' is not a known word or term"
    assert {r.value for r in result.rejected} == {
        f"{c.wrong} -> {c.right}" for c in result.records if not c.applied
    }


def test_an_unknown_word_passes_when_the_model_proposes_it_with_and_without_the_suspect_list():
    agreed = _guard(
        Proposal("Camino bodies", "Kamino bodies", "llm-conditioned", (3,)),
        Proposal("Camino bodies", "Kamino bodies", "llm-unconditioned", (3,)),
    )
    assert agreed.by_sentence[3] == [("Camino bodies", "Kamino bodies")] * 2
    assert all(c.applied for c in agreed.records)


def test_extracted_sentences_must_come_from_the_corrected_transcript():
    texts = [
        "Good morning everyone.",
        "Here you can see keratin pearls in the nests.",
        "The quiz is on Friday.",
    ]
    med, roi, rejected = guard_extraction(
        Extraction(
            med=[
                "keratin pearls in the nests",
                "The tumour is a metastatic melanoma.",
                "The quiz is on Friday.",
                "pearls",
            ],
            roi=["Here you can see keratin pearls in the nests."],
        ),
        texts,
        load_lexicon(),
    )
    assert med == {1} and roi == {1}
    assert {(r.kind, r.value, r.reason) for r in rejected} == {
        (
            "med",
            "The tumour is a metastatic melanoma.",
            "words not in the transcript: melanoma, metastatic, tumour",
        ),
        ("med", "The quiz is on Friday.", "no medical term in the sentence"),
        ("med", "pearls", "covers too little of any transcript sentence"),
    }


def test_applying_corrections_keeps_case_and_prefers_longer_spans():
    text = "Namoplastic stroma surrounds namoplastic nests."
    fixed = apply_corrections(
        text, [("namoplastic", "desmoplastic"), ("namoplastic stroma", "desmoplastic stroma")]
    )
    assert fixed == "Desmoplastic stroma surrounds desmoplastic nests."


def test_a_correction_inside_a_sentence_is_written_as_the_term_is():
    fixed = apply_corrections(
        "The Mac ground is reactive, and the Mac ground cells too.", [("Mac ground", "background")]
    )
    assert fixed == "The background is reactive, and the background cells too."
    assert apply_corrections("Mac ground cells.", [("Mac ground", "background")]) == "Background cells."
