"""A mishearing corrected once is corrected wherever the video repeats it."""

from curation.config import TextSettings
from curation.lexicon.lexicon import load_lexicon
from curation.records import Transcript, Word
from curation.text.matching import default_matcher
from curation.text.offline import OfflineRefiner
from curation.text.recurrence import is_distinctive, with_recurrences
from curation.text.stage import analyse
from tests.text.conftest import words_of


def _later(words: list[Word], offset_s: float) -> list[Word]:
    return [w.model_copy(update={"start": w.start + offset_s, "end": w.end + offset_s}) for w in words]


def _analyse(words: list[Word], vocabulary: list[str]):
    transcript = Transcript(video_id="v", language="en", model_id="test", duration_s=60.0, segments=[], words=words)
    refiner = OfflineRefiner(TextSettings(), load_lexicon(), default_matcher())
    return analyse(transcript, refiner, TextSettings(), vocabulary)


def test_a_confident_repeat_of_a_corrected_mishearing_is_corrected_too():
    doubted = words_of("The thick capsule of crib to carcass stains red.", probability=0.3)
    # Whisper repeats its own mishearing, now sure of it: alone, that is no correction
    sure = words_of("So mucicarmine is the stain for crib to carcass.", probability=0.99)
    alone = _analyse(_later(sure, 10.0), ["Cryptococcus", "mucicarmine"])
    assert alone.sentences[0].text == "So mucicarmine is the stain for crib to carcass."

    analysis = _analyse(doubted + _later(sure, 10.0), ["Cryptococcus", "mucicarmine"])
    assert [s.text for s in analysis.sentences] == [
        "The thick capsule of Cryptococcus stains red.",
        "So mucicarmine is the stain for Cryptococcus.",
    ]
    # the corrected words count as settled in the repeat, as they do where they were corrected
    assert analysis.sentences[1].uncertain == []


def test_common_words_and_words_corrected_two_ways_do_not_spread():
    lexicon = load_lexicon()
    assert is_distinctive("crib to carcass", lexicon)
    assert is_distinctive("Mac ground", lexicon)
    assert is_distinctive("namoplastic", lexicon)
    assert not is_distinctive("the two", lexicon)  # "the two" for HER2, on one slide
    assert not is_distinctive("myocardial", lexicon)  # one everyday word: it may be meant elsewhere
    assert not is_distinctive("a cell", lexicon)

    texts = [
        "Strong in the Mac ground cells.",
        "The Mac ground is reactive.",
        "A namoplastic stroma, and namoplastic nests.",
        "Her the two score.",
        "And the two of them.",
        "The namoplastic stroma again.",
    ]
    fixes = with_recurrences(
        {
            1: [("Mac ground", "background")],
            2: [("namoplastic stroma", "desmoplastic stroma"), ("namoplastic", "desmoplastic")],
            3: [("the two", "HER2")],
        },
        texts,
        lexicon,
    )
    assert fixes[0] == [("Mac ground", "background")]
    assert 4 not in fixes  # "the two" is too common to carry
    # the longer fix carries; the shorter one overlaps it there and is left to it
    assert fixes[5] == [("namoplastic stroma", "desmoplastic stroma")]

    two_ways = with_recurrences(
        {0: [("Mac ground", "background")], 1: [("Mac ground", "macrophage")]}, texts[:2] + ["the Mac ground"], lexicon
    )
    assert 2 not in two_ways
