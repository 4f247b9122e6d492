"""Report figures from `audit.json` drawn matplotlib (no pyplot, no GUI), as SVG data URIs."""

from __future__ import annotations

import base64
import io

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

HEMATOXYLIN = "#4b2a7b"
EOSIN = "#d9679a"
GREY = "#9a94a6"
FRAME_TYPE_COLOURS = {
    "histology": EOSIN,
    "slide_text": "#4c78a8",
    "person": "#f2a541",
    "diagram": "#59a14f",
    "desktop": "#76b7b2",
    "blank": "#bab0ac",
    "other": GREY,
}


def _figure(width: float, height: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8, colors="#333")
    return fig, ax


def _counts_axis(axis) -> None:
    axis.set_major_locator(MaxNLocator(integer=True))


def data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def funnel(steps: list[dict], title: str, colour: str = HEMATOXYLIN) -> str:
    labels = [s["label"] for s in steps]
    counts = [s["count"] for s in steps]
    fig, ax = _figure(5.4, 0.4 * len(steps) + 0.7)
    bars = ax.barh(range(len(steps)), counts, color=colour, height=0.62)
    ax.invert_yaxis()
    ax.set_yticks(range(len(steps)), labels, fontsize=9)
    ax.bar_label(bars, [f"{c:,}" for c in counts], padding=3, fontsize=8)
    ax.set_xlim(0, max(counts + [1]) * 1.15)
    _counts_axis(ax.xaxis)
    ax.set_title(title, fontsize=10, loc="left")
    return data_uri(fig)


def histogram(
    hist: dict, title: str, xlabel: str, colour: str = EOSIN, marker: float | None = None
) -> str:
    fig, ax = _figure(4.2, 2.6)
    if hist["counts"]:
        edges = hist["edges"]
        widths = [b - a for a, b in zip(edges, edges[1:])]
        ax.bar(
            edges[:-1],
            hist["counts"],
            width=widths,
            align="edge",
            color=colour,
            alpha=0.9,
            edgecolor="white",
            linewidth=0.8,
        )
    if marker is not None:
        ax.axvline(marker, color="#222", linestyle="--", linewidth=1)
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel("count", fontsize=8)
    _counts_axis(ax.yaxis)
    return data_uri(fig)


def scores_by_type(by_type: dict[str, dict], threshold: float) -> str:
    fig, ax = _figure(4.2, 2.6)
    for frame_type, described in by_type.items():
        hist = described["histogram"]
        ax.stairs(
            hist["counts"],
            hist["edges"],
            label=f"{frame_type} ({described['summary']['n']})",
            color=FRAME_TYPE_COLOURS.get(frame_type, GREY),
            linewidth=1.6,
        )
    ax.axvline(threshold, color="#222", linestyle="--", linewidth=1, label="threshold")
    ax.set_title("Histology score of keyframes, by frame type", fontsize=10, loc="left")
    ax.set_xlabel("histology score", fontsize=8)
    ax.set_ylabel("keyframes", fontsize=8)
    _counts_axis(ax.yaxis)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return data_uri(fig)


def impurity_rates(
    impurities: dict[str, dict], labels: dict[str, str], reference: float, reference_label: str
) -> str:
    names = list(impurities)
    rates = [impurities[n]["rate"] or 0.0 for n in names]
    low = [r - impurities[n]["ci95"][0] for n, r in zip(names, rates)]
    high = [impurities[n]["ci95"][1] - r for n, r in zip(names, rates)]
    fig, ax = _figure(5.6, 0.36 * len(names) + 0.8)
    ax.barh(
        range(len(names)),
        rates,
        xerr=[low, high],
        color=EOSIN,
        height=0.6,
        error_kw={"ecolor": "#444", "capsize": 3, "linewidth": 1},
    )
    ax.invert_yaxis()
    ax.set_yticks(range(len(names)), [labels.get(n, n) for n in names], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of reviewed pairs (95% Wilson interval)", fontsize=8)
    ax.axvline(reference, color="#222", linestyle="--", linewidth=1)
    ax.text(reference, -0.7, reference_label, fontsize=7, ha="center", va="bottom")
    ax.set_title("Impurities found by reviewers", fontsize=10, loc="left")
    return data_uri(fig)
