"""The offline refiner, the default without an LLM endpoint: lexicon-driven correction, terms heard
right written as the term list writes them, the plural a term's head lost before "are", MED by
medical-term density, ROI by the phrases a narrator points with."""

from __future__ import annotations

from curation.config import TextSettings
from curation.lexicon.lexicon import Lexicon
from curation.text.agreement import agreement_fixes
from curation.text.correction import span_fixes
from curation.text.matching import (
    VOCABULARY_PREFILTER_SIMILARITY,
    TermMatcher,
    dictionary_matcher,
    vocabulary_targets,
)
from curation.text.refiner import NO_CONTEXT, Extraction, Proposal, VideoContext
from curation.text.selection import is_med_sentence, is_roi_sentence
from curation.text.sentences import SentenceSpan
from curation.text.spelling import respellings


class OfflineRefiner:
    def __init__(self, settings: TextSettings, lexicon: Lexicon, matcher: TermMatcher):
        self.settings, self.lexicon, self.matcher = settings, lexicon, matcher
        self.refiner_id = f"offline-lexicon:{lexicon.version}"
        self.prompt_versions: dict[str, str] = {}
        self.tokens_used = 0
        self.requests = 0

    def propose_corrections(
        self, sentences: list[SentenceSpan], context: VideoContext = NO_CONTEXT
    ) -> list[Proposal]:
        own_terms = vocabulary_targets(list(context.vocabulary), self.lexicon)
        vocabulary = (
            TermMatcher(self.lexicon, own_terms, VOCABULARY_PREFILTER_SIMILARITY) if own_terms else None
        )
        proposals = []
        for index, sentence in enumerate(sentences):
            words = sentence.spoken
            fixes = span_fixes(words, self.lexicon, self.matcher, vocabulary, dictionary_matcher())
            found = [(f.wrong, f.match.target.text, "lexicon") for f in fixes]
            found += [(heard, written, "lexicon") for heard, written in respellings(words, self.lexicon)]
            found += [(wrong, right, "agreement") for wrong, right in agreement_fixes(words, self.lexicon)]
            proposals += [Proposal(wrong, right, source, (index,)) for wrong, right, source in found]
        return proposals

    def extract(self, texts: list[str], context: VideoContext = NO_CONTEXT) -> Extraction:
        return Extraction(
            med=[t for t in texts if is_med_sentence(t, self.lexicon, self.settings.min_med_terms)],
            roi=[t for t in texts if is_roi_sentence(t)],
        )
