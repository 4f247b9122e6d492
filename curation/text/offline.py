"""The offline refiner, the default without an LLM endpoint: lexicon-driven correction, MED by
medical-term density, ROI by the phrases a narrator points with."""

from __future__ import annotations

from curation.config import TextSettings
from curation.lexicon.lexicon import Lexicon
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
        return [
            Proposal(fix.wrong, fix.match.target.text, "lexicon", (index,))
            for index, sentence in enumerate(sentences)
            for fix in span_fixes(
                sentence.spoken, self.lexicon, self.matcher, vocabulary, dictionary_matcher()
            )
        ]

    def extract(self, texts: list[str], context: VideoContext = NO_CONTEXT) -> Extraction:
        return Extraction(
            med=[t for t in texts if is_med_sentence(t, self.lexicon, self.settings.min_med_terms)],
            roi=[t for t in texts if is_roi_sentence(t)],
        )
