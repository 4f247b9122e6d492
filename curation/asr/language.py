"""Whether a transcript is English narration worth curating.

tiny.en has no language detection. On speech in another language it writes one of two kinds of
confident garbage: a loop of fluent English ("I'm going to say that I'm going to say that ...",
word probabilities around 0.9), or, biased by the glossary hotwords, sound-alike words no
dictionary knows ("bontia, tautus, vasor ..."). So a transcript is judged by how much it repeats
itself, by the share of its words an English or medical dictionary knows, and, as a backstop, by
how sure the model was of its words.

The thresholds are calibrated on espeak-ng narration transcribed by the bundled tiny.en, with and
without hotwords (German, Spanish, French, Italian, Dutch, Portuguese against English histology
lectures in two voices and two speeds): English repeated at most 1.1% of its word trigrams, knew at
least 92.8% of its words and had a mean probability of at least 0.76; every other language
repeated at least 94.5% of its trigrams or knew at most 79.7% of its words. (The 1255 words of the
demo lectures' scripts repeat 4.6% of their trigrams: long narration repeats little more.)

The decoder's loop guard (`asr.no_repeat_ngram_size`) makes those loops vary instead of repeating
exactly ("I hope you enjoyed this video, and I hope you enjoy this video, and I'll see you..."):
with it, the same six languages repeated 26% to 56% of their trigrams on GENERIC and AVX2, and
English none, hence the lower bound on repeats. Repeats are counted passage by passage (the
median over passages of about `REPEAT_PASSAGE_WORDS` words): over an hour, narration comes back to
its phrases ("here you can see") and licence-like boilerplate repeats whole sentences, which over
the whole transcript read as a loop (an hour of Debian's licence texts repeated 18% of its
trigrams, under 2% per passage), while a loop repeats within the window that decodes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from curation.lexicon.lexicon import is_unknown, load_lexicon
from curation.lexicon.tokens import fold, word_core
from curation.records import Word

MAX_REPEATED_TRIGRAM_SHARE = 0.15
MIN_ENGLISH_SHARE = 0.85
MIN_MEAN_PROBABILITY = 0.5
REPEAT_PASSAGE_WORDS = 150

# words that tell languages apart: letters only, three or more ("la", "en" are English words too)
_JUDGED_WORD = re.compile(r"[a-z][a-z'-]+[a-z]")


@dataclass(frozen=True)
class LanguageFigures:
    repeated_trigram_share: float  # word trigrams that repeat an earlier one of their passage
    english_share: float  # judged words an English or medical dictionary knows
    mean_probability: float  # the model's mean word probability


def repeated_trigram_share(tokens: list[str]) -> float:
    """The median, over passages of about `REPEAT_PASSAGE_WORDS` tokens, of the share of a
    passage's trigrams that repeat an earlier one of the same passage."""
    if not tokens:
        return 0.0
    count = max(1, round(len(tokens) / REPEAT_PASSAGE_WORDS))
    size = -(-len(tokens) // count)
    shares = []
    for passage in (tokens[i : i + size] for i in range(0, len(tokens), size)):
        trigrams = list(zip(passage, passage[1:], passage[2:]))
        if trigrams:
            shares.append(1 - len(set(trigrams)) / len(trigrams))
    return median(shares) if shares else 0.0


def language_figures(words: list[Word]) -> LanguageFigures:
    cores = [core for core in (word_core(w.text) for w in words) if core]
    tokens = [fold(core) for core in cores]
    judged = [core for core in cores if _JUDGED_WORD.fullmatch(fold(core))]
    known = sum(not is_unknown(core, load_lexicon()) for core in judged)
    return LanguageFigures(
        repeated_trigram_share=repeated_trigram_share(tokens),
        english_share=known / len(judged) if judged else 0.0,
        mean_probability=sum(w.probability for w in words) / len(words) if words else 0.0,
    )


def why_not_english(
    words: list[Word],
    *,
    max_repeated_trigram_share: float = MAX_REPEATED_TRIGRAM_SHARE,
    min_english_share: float = MIN_ENGLISH_SHARE,
    min_mean_probability: float = MIN_MEAN_PROBABILITY,
) -> str | None:
    """Why the narration is probably not English, or None when it reads as English."""
    figures = language_figures(words)
    if figures.repeated_trigram_share > max_repeated_trigram_share:
        return (
            f"the narration is probably not English: the transcript repeats itself "
            f"({figures.repeated_trigram_share:.0%} of its word trigrams repeat an earlier one, "
            f"at most {max_repeated_trigram_share:.0%} allowed), as tiny.en does on other languages"
        )
    if figures.english_share < min_english_share:
        return (
            f"the narration is probably not English: {figures.english_share:.0%} of its words are "
            f"in an English or medical dictionary, at least {min_english_share:.0%} needed"
        )
    if figures.mean_probability < min_mean_probability:
        return (
            f"the narration is probably not English: the mean word probability is "
            f"{figures.mean_probability:.2f}, at least {min_mean_probability:.2f} needed"
        )
    return None
