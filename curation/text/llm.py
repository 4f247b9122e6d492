"""The LLM refiner: Quilt-style conditioned/unconditioned correction and MED/ROI extraction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pydantic import BaseModel

from curation.config import TextSettings
from curation.text.edits import occurs
from curation.text.lexicon import Lexicon
from curation.text.llm_client import LlmClient
from curation.text.matching import TermMatcher
from curation.text.prompts import render, template_version
from curation.text.refiner import Extraction, Proposal
from curation.text.sentences import SentenceSpan
from curation.text.suspects import suspect_indices
from curation.text.tokens import word_core

T = TypeVar("T")
CORRECTION_PROMPT, EXTRACTION_PROMPT = "asr_correction", "med_roi_extraction"


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

    def _correct_chunk(self, batch: list[tuple[int, SentenceSpan]]) -> list[Proposal]:
        suspects = [
            word_core(s.spoken[i].text)
            for _, s in batch
            for i in suspect_indices(s.spoken, self.lexicon, self.matcher)
        ]
        prompt = render(
            CORRECTION_PROMPT,
            sentences=[s.text for _, s in batch],
            suspects=list(dict.fromkeys(suspects)),
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

    def propose_corrections(self, sentences: list[SentenceSpan]) -> list[Proposal]:
        batches = chunks(list(enumerate(sentences)), self.settings.chunk_sentences)
        return [p for found in self._map(self._correct_chunk, batches) for p in found]

    def _extract_chunk(self, texts: list[str]) -> ExtractionReply:
        return self.client.complete(render(EXTRACTION_PROMPT, sentences=texts), ExtractionReply)

    def extract(self, texts: list[str]) -> Extraction:
        replies = self._map(self._extract_chunk, chunks(texts, self.settings.chunk_sentences))
        return Extraction(
            med=[m for r in replies for m in r.med],
            roi=[m for r in replies for m in r.roi],
        )
