"""`card.md`: the dataset card, rendered from the version's records with a Jinja2 template."""

from __future__ import annotations

from collections import defaultdict

import jinja2

from curation.export.checks import BuildConfig
from curation.export.diff import VersionDiff
from curation.export.stats import DatasetStats
from curation.export.versions import DatasetVersion
from curation.records import Pair, Video

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("curation.export", "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
    undefined=jinja2.StrictUndefined,
)
TEMPLATES.filters["cell"] = lambda text: " ".join(str(text).split()).replace("|", "\\|")


def tally(videos: list[dict], field: str) -> dict[str, tuple[int, int]]:
    """Field value -> (videos, pairs), largest first."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for video in videos:
        totals[video[field]][0] += 1
        totals[video[field]][1] += video["pairs"]
    return {k: (v[0], v[1]) for k, v in sorted(totals.items(), key=lambda kv: (-kv[1][1], kv[0]))}


def provenance_values(pairs: list[Pair]) -> dict[str, list[str]]:
    values: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        for key, value in pair.provenance.items():
            values[key].add(value)
    return {key: sorted(found) for key, found in sorted(values.items())}


def brace_range(shards: list[str]) -> str:
    """`00000.tar`...`00012.tar` -> `{00000..00012}.tar`, the notation webdataset expands."""
    first, last = shards[0].removesuffix(".tar"), shards[-1].removesuffix(".tar")
    return shards[0] if first == last else f"{{{first}..{last}}}.tar"


def render_card(
    version: DatasetVersion,
    config: BuildConfig,
    rules: dict[str, str],
    stats: DatasetStats,
    videos: list[Video],
    kept: list[Pair],
    diff: VersionDiff,
) -> str:
    rows = [
        v.model_dump() | {"split": stats.per_video[v.video_id].split, "pairs": stats.per_video[v.video_id].pairs}
        for v in videos
        if stats.per_video[v.video_id].pairs
    ]
    return TEMPLATES.get_template("card.md.j2").render(
        version=version,
        config=config,
        config_json=config.model_dump_json(indent=2),
        rules=rules,
        stats=stats,
        videos=rows,
        channels=tally(rows, "channel"),
        licenses=tally(rows, "license"),
        provenance=provenance_values(kept),
        diff=diff,
        shard_range={split: brace_range([s.shard for s in shards]) for split, shards in stats.shards.items() if shards},
    )
