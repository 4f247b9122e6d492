from curation.lexicon.lexicon import load_lexicon
from curation.records import SlideText, SlideTexts, TextLine, Video
from curation.slides.vocabulary import slide_caption, video_vocabulary


def line(text: str) -> TextLine:
    return TextLine(text=text, box=(0, 0, 10, 10), confidence=0.9)


def slides(*frames: list[str]) -> SlideTexts:
    return SlideTexts(video_id="v", engine_id="test", frames=[
        SlideText(index=i, lines=[line(t) for t in texts]) for i, texts in enumerate(frames)
    ])


def test_vocabulary_takes_terms_then_medical_words_from_page_and_slides_in_order():
    video = Video(video_id="v", url="u", title="Granulomas", chapters=["Sarcoidosis"], tags=["lymph node", "pathology"],
                  description="Caseating necrosis and the Ziehl-Neelsen stain. Please subscribe!")
    read = slides(["Langhans giant cells", "x40", "Questions?"], ["Schaumann bodies in sarcoidosis"])
    vocabulary = video_vocabulary(video, read, load_lexicon())
    assert vocabulary[:5] == ["granuloma", "sarcoidosis", "lymph node", "Langhans giant cell", "Schaumann body"]  # canonical names
    assert vocabulary.index("necrosis") > vocabulary.index("Schaumann body")  # the description comes last
    assert {"Ziehl-Neelsen", "pathology", "Caseating"} <= set(vocabulary)
    assert len(vocabulary) == len({v.lower() for v in vocabulary})
    # plain English and the words of terms already listed stay out
    assert not {"please", "subscribe", "giant", "cells", "questions", "node", "granulomas"} & {v.lower() for v in vocabulary}
    assert video_vocabulary(video, read, load_lexicon()) == vocabulary  # stable


def test_a_medical_word_naming_a_generic_noun_is_listed_with_it():
    video = Video(video_id="v", url="u", title="Hurthle", description="Hurthle cells are oncocytic.")
    vocabulary = video_vocabulary(video, slides(["Hurthle cells", "H&E x40"]), load_lexicon())
    assert "Hurthle cells" in vocabulary and "Hurthle" not in vocabulary  # the phrase stands for the word
    assert "oncocytic" in vocabulary  # no generic noun after it


def test_the_page_alone_gives_a_vocabulary_when_no_slide_has_text():
    video = Video(video_id="v", url="u", title="Invasive ductal carcinoma and HER2")
    assert video_vocabulary(video, slides([]), load_lexicon()) == ["invasive ductal carcinoma", "HER2"]


def test_slide_caption_keeps_title_and_labels_without_bullets_or_chatter():
    frame = SlideText(index=0, lines=[
        line("Melanoma"), line("• Atypical melanocytes"), line("e Pagetoid spread"), line("12"),
        line("Questions?"), line("www.example.org/slides"), line("3 / 20"),
    ])
    assert slide_caption(frame) == "Melanoma: Atypical melanocytes; Pagetoid spread"
    assert slide_caption(SlideText(index=1, lines=[line("Masson trichrome x40")])) == "Masson trichrome x40"
    assert slide_caption(SlideText(index=2, lines=[line("Thank you!")])) == ""
