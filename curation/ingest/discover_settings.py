"""Settings of `curate discover`, to be mounted in the settings tree as `discover`.

A flat listing often lacks a field (a feed gives no licence, a search result no language), so a
missing duration or language passes its filter: the curation itself checks both again. A licence
list, once set, is a legal requirement, so an unknown licence fails it.
It imports nothing of curation.config, which imports it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TriageSettings(BaseModel):
    """Probing a candidate's media before downloading it (see curation.ingest.triage)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="probe every candidate that passes the metadata filters")
    format: str = Field("b[height<=480]/bv*[height<=480]+ba/b", description="yt-dlp format probed (not downloaded)")
    frames: int = Field(5, ge=1, description="frames sampled, evenly over the video")
    keyframes: bool = Field(True, description="sample the first keyframe from each time, not the exact frame (cheaper)")
    frame_width: int = Field(320, ge=64, description="width the sampled frames are scaled to")
    min_histology_frames: int = Field(1, ge=0, description="sampled frames the classifier must call histology")
    # the transcription is most of a kept video's triage cost: 15 s held 30-40 words on the demo
    # lectures and none on music, and tiny.en loops on German in 15 s as in 25 (bench/triage.py)
    snippet_s: float = Field(15.0, gt=0, description="length of the audio snippet transcribed")
    snippet_start_s: float = Field(60.0, ge=0, description="where the snippet starts (earlier in a shorter video)")
    min_speech_s: float = Field(3.0, ge=0, description="seconds of the snippet voice activity detection must call speech")
    min_words: int = Field(10, ge=0, description="words the snippet must hold to count as narration")
    estimated_curation_s_per_video_s: float = Field(
        0.1, gt=0, description="curation seconds per video-second, to state what a rejection saved "
        "before any video of the data root is curated (then it is measured)",
    )


class DiscoverSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_duration_s: float = Field(120.0, ge=0, description="reject shorter videos (when the listing gives a duration)")
    max_duration_s: float = Field(4 * 3600.0, gt=0, description="reject longer videos")
    languages: list[str] = Field(["en"], description="accepted language codes, by prefix ('en' takes 'en-GB'); [] takes any")
    licences: list[str] = Field([], description="accepted licences, e.g. 'Creative Commons Attribution license (reuse allowed)'; [] takes any")
    channels_allow: list[str] = Field([], description="only these channels (case-insensitive); [] takes any")
    channels_deny: list[str] = Field([], description="never these channels (case-insensitive)")
    min_terms: int = Field(1, ge=0, description="histology terms of the lexicon needed in the title and description")
    max_per_source: int = Field(500, gt=0, description="newest entries listed per channel, playlist or feed")
    triage: TriageSettings = TriageSettings()

    @model_validator(mode="after")
    def durations_in_order(self):
        if self.min_duration_s > self.max_duration_s:
            raise ValueError(f"min_duration_s ({self.min_duration_s}) exceeds max_duration_s ({self.max_duration_s})")
        return self
