"""Settings of the `slides` stage, mounted in the settings tree as `slides`.

It imports nothing of curation.config, which imports it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EngineName = Literal["tesseract", "rapidocr"]


class SlidesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="read the slides; off: no slide vocabulary, slide text or stains read off them")
    engine: EngineName = Field("tesseract", description="OCR engine: tesseract (Debian) or rapidocr (ONNX)")
    min_confidence: float = Field(0.6, ge=0.0, le=1.0, description="drop OCR lines read with a lower confidence")
