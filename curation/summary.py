"""What a curation run did, read back from the store's per-stage status files, and what triage
saved the data root before download (`curation.ingest.savings`)."""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from curation.ingest.discover_settings import TriageSettings
from curation.ingest.savings import TriageSavings, triage_savings
from curation.records import VideoRef
from curation.stages import STAGES
from curation.store import Store


class VideoOutcome(BaseModel):
    video_id: str
    ok: bool
    failed_stage: str = ""
    reason: str = ""
    keyframes: int = 0
    histology_frames: int = 0
    candidate_pairs: int = 0  # every frame with every sentence spoken over it (pairs.jsonl)
    pairs: int = 0  # of those, the pairs in the dataset version the run built


class RunSummary(BaseModel):
    videos: list[VideoOutcome]
    stage_seconds: dict[str, float]
    stages_run: dict[str, int]
    dataset_path: str = ""
    report_path: str = ""
    triage: TriageSavings | None = None  # the data root's triage rejections, bytes and seconds saved

    @property
    def ok(self) -> int:
        return sum(v.ok for v in self.videos)

    @property
    def failed(self) -> int:
        return len(self.videos) - self.ok

    def total(self, field: str) -> int:
        return sum(getattr(v, field) for v in self.videos)

    def add_version(self, store: Store, dataset_path: str) -> None:
        """Take each video's pair count from the dataset version built after the run."""
        from curation.export.versions import VersionReader

        per_video = VersionReader.at(store, dataset_path).stats().per_video
        for video in self.videos:
            video.pairs = per_video[video.video_id].pairs if video.video_id in per_video else 0
        self.dataset_path = dataset_path


def outcome_of(store: Store, video_id: str) -> VideoOutcome:
    statuses = store.statuses(video_id)
    failed = next((name for name in STAGES if name in statuses and statuses[name].state == "failed"), "")
    missing = next((name for name in STAGES if name not in statuses), "")
    metric = lambda stage, key: int(statuses[stage].metrics.get(key, 0)) if stage in statuses else 0
    return VideoOutcome(
        video_id=video_id,
        ok=not failed and not missing,
        failed_stage=failed or missing,
        reason=statuses[failed].reason if failed else ("not run" if missing else ""),
        keyframes=metric("keyframes", "keyframes"),
        histology_frames=metric("labels", "histology"),
        candidate_pairs=metric("pairs", "candidate_pairs"),
    )


def summarize(
    store: Store, videos: list[VideoRef], ran: list[tuple[str, str, float]],
    estimated_rate: float = TriageSettings().estimated_curation_s_per_video_s,
) -> RunSummary:
    """`ran` lists (video_id, stage, seconds) for the stages that really ran in this run;
    `estimated_rate` (curation seconds per video-second) prices triage rejections until the store
    holds a curated video to measure it on."""
    seconds: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for _, stage, duration in ran:
        seconds[stage] += duration
        counts[stage] += 1
    return RunSummary(
        videos=[outcome_of(store, v.video_id) for v in videos],
        stage_seconds={s: round(seconds[s], 2) for s in STAGES},
        stages_run={s: counts[s] for s in STAGES},
        triage=triage_savings(store, estimated_rate),
    )
