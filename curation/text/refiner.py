"""What every text refiner proposes, before the faithfulness guard decides what survives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from curation.text.sentences import SentenceSpan

CorrectionSource = Literal["lexicon", "agreement", "llm-conditioned", "llm-unconditioned"]


@dataclass(frozen=True)
class Proposal:
    wrong: str  # words as they stand in the transcript
    right: str
    source: CorrectionSource
    sentences: tuple[int, ...]  # indices of the sentences the proposal is about


@dataclass(frozen=True)
class VideoContext:
    """What the video itself says about its subject: its vocabulary (terms on its page and
    slides, checked against the lexicon) and the lines written on its slides."""

    vocabulary: tuple[str, ...] = ()
    slide_lines: tuple[str, ...] = ()


NO_CONTEXT = VideoContext()


@dataclass
class Extraction:
    med: list[str] = field(default_factory=list)  # sentences the refiner calls medical
    roi: list[str] = field(default_factory=list)  # sentences where the narrator points at a region


class TextRefiner(Protocol):
    refiner_id: str
    prompt_versions: dict[str, str]
    tokens_used: int  # tokens of the LLM replies the result rests on (cached ones included)
    requests: int  # requests actually sent to an LLM

    def propose_corrections(
        self, sentences: list[SentenceSpan], context: VideoContext = NO_CONTEXT
    ) -> list[Proposal]: ...

    def extract(self, texts: list[str], context: VideoContext = NO_CONTEXT) -> Extraction: ...
