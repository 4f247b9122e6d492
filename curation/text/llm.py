"""The LLM refiner: Quilt-style conditioned/unconditioned correction and MED/ROI extraction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pydantic import BaseModel

from curation.config import TextSettings
from curation.lexicon.lexicon import Lexicon
from curation.lexicon.tokens import word_core
from curation.text.edits import occurs
from curation.text.llm_client import LlmClient
from curation.text.matching import TermMatcher
from curation.text.prompts import CORRECTION_PROMPT, EXTRACTION_PROMPT, render, template_version
from curation.text.refiner import NO_CONTEXT, Extraction, Proposal, VideoContext
from curation.text.sentences import SentenceSpan
from curation.text.suspects import suspect_indices

T = TypeVar("T")


class CorrectionReply(BaseModel):
    conditioned: dict[str, str]
    unconditioned: dict[str, str]


class ExtractionReply(BaseModel):
    med: list[str]
    roi: list[str]


def chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


class LlmRefiner:
    def __init__(
        self, settings: TextSettings, client: LlmClient, lexicon: Lexicon, matcher: TermMatcher
    ):
        self.settings, self.client, self.lexicon, self.matcher = settings, client, lexicon, matcher
        self.refiner_id = f"llm:{settings.llm.model}"
        self.prompt_versions = {
            name: template_version(name) for name in (CORRECTION_PROMPT, EXTRACTION_PROMPT)
        }

    @property
    def tokens_used(self) -> int:
        return self.client.tokens_used

    @property
    def requests(self) -> int:
        return self.client.requests

    def _map(self, fn, batches: list):
        with ThreadPoolExecutor(max_workers=max(1, self.settings.llm.concurrency)) as pool:
            return list(pool.map(fn, batches))

    def _correct_chunk(
        self, batch: list[tuple[int, SentenceSpan]], context: VideoContext
    ) -> list[Proposal]:
        suspects = [
            word_core(s.spoken[i].text)
            for _, s in batch
            for i in suspect_indices(s.spoken, self.lexicon, self.matcher)
        ]
        prompt = render(
            CORRECTION_PROMPT,
            sentences=[s.text for _, s in batch],
            suspects=list(dict.fromkeys(suspects)),
            vocabulary=list(context.vocabulary),
            slide_lines=list(dict.fromkeys(context.slide_lines)),
        )
        reply = self.client.complete(prompt, CorrectionReply)
        proposals = []
        for source, fixes in (
            ("llm-conditioned", reply.conditioned),
            ("llm-unconditioned", reply.unconditioned),
        ):
            for wrong, right in fixes.items():
                where = tuple(i for i, s in batch if occurs(wrong, s.text)) or tuple(
                    i for i, _ in batch
                )
                proposals.append(Proposal(wrong, right, source, where))
        return proposals

    def propose_corrections(
        self, sentences: list[SentenceSpan], context: VideoContext = NO_CONTEXT
    ) -> list[Proposal]:
        batches = chunks(list(enumerate(sentences)), self.settings.chunk_sentences)
        found = self._map(lambda batch: self._correct_chunk(batch, context), batches)
        return [p for proposals in found for p in proposals]

    def _extract_chunk(self, texts: list[str], context: VideoContext) -> ExtractionReply:
        prompt = render(EXTRACTION_PROMPT, sentences=texts, vocabulary=list(context.vocabulary))
        return self.client.complete(prompt, ExtractionReply)

    def extract(self, texts: list[str], context: VideoContext = NO_CONTEXT) -> Extraction:
        batches = chunks(texts, self.settings.chunk_sentences)
        replies = self._map(lambda batch: self._extract_chunk(batch, context), batches)
        return Extraction(
            med=[m for r in replies for m in r.med],
            roi=[m for r in replies for m in r.roi],
        )
