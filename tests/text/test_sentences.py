from curation.lexicon.lexicon import load_lexicon
from curation.records import Word
from curation.text.sentences import MAX_WORDS, split_sentences, spoken_words


def _words(spec: list[tuple[str, float]]) -> list[Word]:
    """Words 0.3 s apart, plus the extra pause given after each."""
    words, t = [], 0.0
    for text, pause in spec:
        words.append(Word(start=round(t, 3), end=round(t + 0.25, 3), text=text))
        t += 0.3 + pause
    return words


def test_sentences_end_at_sentence_marks_and_keep_their_word_times():
    words = _words(
        [
            ("This", 0),
            ("is", 0),
            ("Dr.", 0),
            ("Smith.", 0),
            ("See", 0),
            ("the", 0),
            ("nests?", 0),
            ("Yes!", 0),
        ]
    )
    sentences = split_sentences(words)
    assert [s.text for s in sentences] == ["This is Dr. Smith.", "See the nests?", "Yes!"]
    assert (sentences[1].start, sentences[1].end) == (words[4].start, words[6].end)


def test_a_clause_mark_followed_by_a_pause_ends_a_sentence_but_a_pause_never_leaves_a_fragment():
    words = _words(
        [("eosinophils,", 0.0), ("plasma", 0), ("cells,", 0.8), ("here", 0), ("we", 1.2), ("go", 0)]
    )
    assert [s.text for s in split_sentences(words)] == ["eosinophils, plasma cells,", "here we go"]
    # the pause tiny.en times after a comma inside a sentence is no end
    within = _words([("This", 0.0), ("tumor", 0), ("shows", 0), ("complete,", 0.6), ("intense", 0), ("staining.", 0)])
    assert [s.text for s in split_sentences(within)] == ["This tumor shows complete, intense staining."]


def test_run_on_text_is_cut_where_the_narrator_paused_longest():
    spec = [(f"w{i}", 0.0) for i in range(70)]
    spec[30] = ("w30,", 0.4)
    sentences = split_sentences(_words(spec))
    assert [len(s.words) for s in sentences] == [31, 39]
    assert all(len(s.words) <= MAX_WORDS for s in sentences)


def test_whisper_word_pieces_are_joined_into_spoken_words():
    words = _words([("e", 0), ("-cadherin", 0), ("is", 0), ("lost.", 0)])
    words[0] = words[0].model_copy(update={"probability": 0.2})
    sentence = split_sentences(words)[0]
    assert sentence.text == "e-cadherin is lost."
    assert [(w.text, w.probability) for w in spoken_words(sentence.words)] == [
        ("e-cadherin", 0.2),
        ("is", 1.0),
        ("lost.", 1.0),
    ]


def test_spelled_out_letters_do_not_end_a_sentence():
    words = [
        Word(start=0.0, end=0.2, text="Here", probability=0.9),
        Word(start=0.2, end=0.4, text="the", probability=0.9),
        Word(start=0.4, end=0.6, text="D", probability=0.3),
        Word(start=0.6, end=0.6, text=".A", probability=0.5),
        Word(start=0.6, end=0.8, text=".B.", probability=0.8),
        Word(start=0.9, end=1.1, text="signal", probability=0.9),
        Word(start=1.1, end=1.3, text="marks", probability=0.9),
        Word(start=1.3, end=1.5, text="cells.", probability=0.9),
    ]
    assert [s.text for s in split_sentences(words, load_lexicon())] == ["Here the D.A.B. signal marks cells."]
