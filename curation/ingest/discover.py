"""From sources (channels, feeds, searches, ID lists) to a manifest of new candidate videos.

Every listed video is either kept or rejected with one reason: a metadata filter (duration,
language, licence, channel, no histology term in the title and description), already in a
manifest, on the takedown list, or listed twice; then (unless `triage.enabled` is off) the
survivors' media is probed without downloading it (`curation.ingest.triage`). Incremental: the
ids each source listed are kept in `<data>/discovery/seen.json`, so a watched channel yields only
uploads not seen before (they are counted, not listed again); a video whose media could not be
probed is not remembered, so the next run tries it again. The report, `<data>/discovery/reports/<time>.csv`, has every
candidate of a run, kept or not, with its metadata (the duration as probed where the listing gave
none) and the reason; `curation.ingest.savings` reads the reports back.
"""

from __future__ import annotations

import csv
import io
import posixpath
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yt_dlp

from curation.config import Settings
from curation.export.takedown import blocked_ids, takedown_list
from curation.ingest.discover_settings import DiscoverSettings
from curation.ingest.listing import Candidate, expand_sources, list_source
from curation.ingest.manifest import manifest_files, manifest_rows, write_manifest
from curation.ingest.savings import REPORTS_DIR
from curation.ingest.triage import ProbeError, TriageResult, triage
from curation.lexicon.lexicon import Lexicon, load_lexicon
from curation.lexicon.terms import find_terms
from curation.records import VideoRef
from curation.store import Store

SEEN_FILE = "discovery/seen.json"
REPORT_COLUMNS = ("video_id", "url", "title", "channel", "duration", "licence", "upload_date",
                  "language", "source", "kept", "reason", "triage_s", "media_bytes")


@dataclass
class Decision:
    candidate: Candidate
    reason: str = ""  # empty: kept
    triage: TriageResult | None = None  # when it was probed
    unprobed: bool = False  # its media could not be read: try again next run

    @property
    def kept(self) -> bool:
        return not self.reason


@dataclass
class Discovery:
    decisions: list[Decision] = field(default_factory=list)
    seen_before: int = 0  # listed by a source in an earlier run, so not considered again
    failed_sources: dict[str, str] = field(default_factory=dict)  # source -> listing error
    seen: dict[str, list[str]] = field(default_factory=dict)  # source -> every id it listed, to save

    @property
    def kept(self) -> list[Candidate]:
        return [d.candidate for d in self.decisions if d.kept]

    @property
    def rejected(self) -> list[Decision]:
        return [d for d in self.decisions if not d.kept]

    @property
    def triage_seconds(self) -> float:
        return sum(d.triage.seconds for d in self.decisions if d.triage)

    @property
    def bytes_not_downloaded(self) -> int:
        """Media size of the videos triage rejected (where the server gave it)."""
        return sum(d.triage.media_bytes or 0 for d in self.rejected if d.triage)

    def manifest_rows(self) -> list[VideoRef]:
        return [VideoRef(c.video_id, c.url, title=c.title, description=c.description) for c in self.kept]


def metadata_problem(c: Candidate, settings: DiscoverSettings, lexicon: Lexicon) -> str | None:
    """Why the listing's metadata rules the video out, or None."""
    if c.duration is not None and c.duration < settings.min_duration_s:
        return f"too short: {c.duration:.0f} s < {settings.min_duration_s:.0f} s"
    if c.duration is not None and c.duration > settings.max_duration_s:
        return f"too long: {c.duration:.0f} s > {settings.max_duration_s:.0f} s"
    if c.language and settings.languages and not any(c.language.lower().startswith(l.lower()) for l in settings.languages):
        return f"language '{c.language}' is not one of {', '.join(settings.languages)}"
    if settings.licences and c.licence not in settings.licences:
        return f"licence '{c.licence or 'unknown'}' is not one of the accepted licences"
    channel = c.channel.casefold()
    if channel in {name.casefold() for name in settings.channels_deny}:
        return f"channel '{c.channel}' is on the deny list"
    if settings.channels_allow and channel not in {name.casefold() for name in settings.channels_allow}:
        return f"channel '{c.channel or 'unknown'}' is not on the allow list"
    terms = find_terms(f"{c.title}\n{c.description}", lexicon)
    if len(terms) < settings.min_terms:
        found = f" (only {', '.join(terms)})" if terms else ""
        return f"{len(terms)} histology term(s) in the title and description, {settings.min_terms} needed{found}"
    return None


def decide(
    candidates: list[Candidate], settings: DiscoverSettings, known: dict[str, str], lexicon: Lexicon
) -> list[Decision]:
    """`known`: id -> why it is not new (in a manifest, on the takedown list)."""
    decisions, first_source = [], {}
    for c in candidates:
        if c.video_id in first_source:
            reason = f"listed twice (first by {first_source[c.video_id]})"
        else:
            first_source[c.video_id] = c.source
            reason = known.get(c.video_id) or metadata_problem(c, settings, lexicon) or ""
        decisions.append(Decision(c, reason))
    return decisions


def discover(
    sources: list[str],
    store: Store,
    settings: Settings,
    known: dict[str, str],
    rescan: bool = False,
) -> Discovery:
    """List every source, drop what earlier runs saw (unless `rescan`) and decide the rest;
    `result.seen` adds what each source listed now. A source that cannot be listed is recorded,
    not fatal."""
    section = settings.discover
    seen = load_seen(store)
    result, fresh = Discovery(), []
    for source in dict.fromkeys(expand_sources(sources)):
        try:
            listed = list_source(source, section.max_per_source)
        except yt_dlp.utils.DownloadError as exc:  # one dead channel never stops the others
            result.failed_sources[source] = f"{type(exc).__name__}: {exc}".splitlines()[0]
            continue
        before = set() if rescan else set(seen.get(source, []))
        result.seen_before += sum(c.video_id in before for c in listed)
        fresh += [c for c in listed if c.video_id not in before]
    result.decisions = decide(fresh, section, known, load_lexicon())
    if section.triage.enabled:
        for decision in (d for d in result.decisions if d.kept):
            probe(decision, settings)
    for d in result.decisions:
        if not d.unprobed:
            seen.setdefault(d.candidate.source, []).append(d.candidate.video_id)
    result.seen = {source: sorted(set(ids)) for source, ids in seen.items()}
    return result


def probe(decision: Decision, settings: Settings) -> None:
    """Triage one kept candidate; media that cannot be read is rejected, with the error (a
    broken classifier or model is not the video's fault: that error stops the run)."""
    try:
        decision.triage = triage(decision.candidate.url, settings)
        decision.reason = decision.triage.reason or ""
    except (yt_dlp.utils.DownloadError, OSError, ProbeError) as exc:
        decision.unprobed = True
        decision.reason = f"triage: could not probe the media: {type(exc).__name__}: {exc}".splitlines()[0]


def load_seen(store: Store) -> dict[str, list[str]]:
    path = store.join(SEEN_FILE)
    return store.read_json(path) if store.exists(path) else {}


def known_videos(store: Store, manifests: list[Path], takedown: str | Path | None) -> dict[str, str]:
    """id -> why it is not new: on the takedown list or purged (the stronger reason), or already
    in a manifest (its first row named)."""
    known = {}
    for path in manifest_files(manifests):
        for row in manifest_rows(path):
            known.setdefault(row.ref.video_id, f"already in {row.where}")
    known.update(dict.fromkeys(blocked_ids(store, takedown_list(takedown)), "on the takedown list"))
    return known


def run_discovery(
    sources: list[str], store: Store, settings: Settings, manifests: list[Path], out: Path,
    takedown: str | Path | None = None, rescan: bool = False,
) -> tuple[Discovery, str]:
    """Discover, write the kept videos to the manifest `out` (only when there are any: an empty
    manifest is an error to `curate`) and the report to the store; returns both results."""
    known = known_videos(store, [m for m in manifests if Path(m).exists()], takedown)
    result = discover(sources, store, settings, known, rescan)
    if result.kept:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        write_manifest(Path(out), result.manifest_rows())
    report = write_report(store, result)
    store.write_json(store.join(SEEN_FILE), result.seen)  # last: a run cut short is seen again
    return result, report


def write_report(store: Store, result: Discovery) -> str:
    """Every candidate of the run, kept or rejected, with the reason; returns its path."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for d in result.decisions:
        c, t = d.candidate, d.triage
        duration = c.duration if c.duration is not None else (t.duration_s if t else None)
        writer.writerow([c.video_id, c.url, c.title, c.channel, "" if duration is None else duration,
                         c.licence, c.upload_date, c.language, c.source, "yes" if d.kept else "no", d.reason,
                         t.seconds if t else "", (t.media_bytes or "") if t else ""])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = store.join(posixpath.join(REPORTS_DIR, f"{stamp}.csv"))
    store.write_text(path, out.getvalue())
    return path
