"""What triage saved: the videos it rejected before download, the bytes not downloaded and the
curation time not spent on them, read back from the discovery reports of a data root.

Bytes are each rejected video's media size as triage found it (the site's file size, else its
bitrate times the duration, else the server's Content-Length). Seconds are the rejected videos'
duration times the curation time per video-second, measured on the videos of the same data root
whose every stage is done (the sum of their stage times, over their length), or, before any video
is curated, the stated estimate `discover.triage.estimated_curation_s_per_video_s`.
"""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel

from curation.ingest.discover_settings import TriageSettings
from curation.stages import STAGES
from curation.store import Store

REPORTS_DIR = "discovery/reports"
TRIAGE_REJECTION = "triage: "
NOT_PROBED = "triage: could not probe"  # nothing was learned, so nothing is counted as saved


class TriageSavings(BaseModel):
    rejected: list[str]  # ids of the videos triage rejected, never downloaded
    bytes_saved: int  # their media size, where known
    sizes_unknown: int  # rejected videos whose size no source gave
    video_seconds: float  # their total duration
    curation_s_per_video_s: float
    rate_measured_on: int  # curated videos the rate was measured on; 0: the stated estimate
    probing_seconds: float  # spent triaging the rejected videos

    @property
    def curation_seconds_saved(self) -> float:
        return self.video_seconds * self.curation_s_per_video_s

    def describe(self) -> str:
        if not self.rejected:
            return "triage rejected no video before download"
        rate = (f"measured on {self.rate_measured_on} curated video(s)" if self.rate_measured_on
                else "estimated, no video curated yet")
        unknown = f" ({self.sizes_unknown} of unknown size)" if self.sizes_unknown else ""
        return (f"triage rejected {len(self.rejected)} video(s) before download: {self.bytes_saved / 1e6:.1f} MB "
                f"not downloaded{unknown}, about {self.curation_seconds_saved:.0f} s of curation not spent "
                f"({self.curation_s_per_video_s:.3f} s per video-second, {rate}), for "
                f"{self.probing_seconds:.1f} s of probing")


def triage_rejections(store: Store) -> dict[str, dict]:
    """id -> its latest report row, for every video triage rejected (later reports win)."""
    rows: dict[str, dict] = {}
    for path in store.iter_files(store.join(REPORTS_DIR)):
        if not path.endswith(".csv"):
            continue
        for row in csv.DictReader(io.StringIO(store.read_bytes(path).decode())):
            rows[row["video_id"]] = row
    return {vid: row for vid, row in rows.items()
            if row["reason"].startswith(TRIAGE_REJECTION) and not row["reason"].startswith(NOT_PROBED)}


def curation_rate(store: Store) -> tuple[float, int]:
    """Stage seconds per video-second over the curated videos, and how many there were."""
    seconds = length = 0.0
    curated = 0
    for video_id in store.video_ids():
        statuses = store.statuses(video_id)
        if not all(name in statuses and statuses[name].state == "done" for name in STAGES):
            continue
        duration = statuses["fetch"].metrics.get("duration_s", 0.0)
        if duration > 0:
            seconds += sum(statuses[name].duration_s for name in STAGES)
            length += duration
            curated += 1
    return (seconds / length, curated) if curated else (0.0, 0)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def triage_savings(store: Store, estimated_rate: float) -> TriageSavings:
    rejected = triage_rejections(store)
    sizes = [_number(row["media_bytes"]) for row in rejected.values()]
    measured, curated = curation_rate(store)
    return TriageSavings(
        rejected=sorted(rejected),
        bytes_saved=int(sum(s for s in sizes if s)),
        sizes_unknown=sum(not s for s in sizes),
        video_seconds=round(sum(_number(row["duration"]) or 0.0 for row in rejected.values()), 1),
        curation_s_per_video_s=round(measured if curated else estimated_rate, 4),
        rate_measured_on=curated,
        probing_seconds=round(sum(_number(row["triage_s"]) or 0.0 for row in rejected.values()), 2),
    )


def funnel_drops(store: Store, estimated_rate: float = TriageSettings().estimated_curation_s_per_video_s) -> list[dict]:
    """The triage rejections as the video funnel's drops before the manifest (an audit row)."""
    savings = triage_savings(store, estimated_rate)
    if not savings.rejected:
        return []
    return [{"reason": savings.describe(), "count": len(savings.rejected), "videos": savings.rejected}]
