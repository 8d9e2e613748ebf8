"""Charts as inline SVG text, drawn with matplotlib (Agg-free SVG backend, no display needed)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("svg")  # never a GUI backend: reports are written by servers and CI too

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from carestat.evidence.section import Chart

plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "carestat"})  # fmt: skip


def to_svg(chart: Chart) -> str:
    """The chart as an `<svg>` element (text, ready to inline in HTML)."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    try:
        DRAW.get(chart.kind, _line)(ax, chart)
        ax.set_title(chart.title, loc="left", fontsize=10)
        if chart.series and ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, frameon=False, loc="best", ncols=2)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _groups(chart: Chart) -> list[tuple[str, pd.DataFrame]]:
    """The chart's data split by its series column (one group when there is none)."""
    if not chart.series:
        return [("", chart.data)]
    return [(str(k), g) for k, g in chart.data.groupby(chart.series, sort=True)]


def _line(ax: Any, chart: Chart) -> None:
    """One line per series."""
    for name, group in _groups(chart):
        ax.plot(group[chart.x], group[chart.y], marker="o", markersize=3, label=name)
    ax.set_xlabel(chart.x)
    ax.set_ylabel(chart.y.replace("_", " "))


def _steps(ax: Any, chart: Chart) -> None:
    """Step functions (survival and cumulative incidence curves)."""
    for name, group in _groups(chart):
        ax.step(group[chart.x], group[chart.y], where="post", label=name)
    ax.set_xlabel("days since entering care")
    ax.set_ylim(0, 1)


def _bars(ax: Any, chart: Chart) -> None:
    """Stacked bars: x categories, one stack layer per series."""
    table = chart.data.pivot_table(index=chart.x, columns=chart.series, values=chart.y,
                                   aggfunc="sum", fill_value=0)  # fmt: skip
    bottom = None
    labels = [str(i) for i in table.index]
    for column in table.columns:
        ax.bar(labels, table[column], bottom=bottom, label=str(column))
        bottom = table[column] if bottom is None else bottom + table[column]
    ax.set_ylabel(chart.y)


def _forest(ax: Any, chart: Chart) -> None:
    """Point estimates with interval bars on a log scale, a line at 1."""
    data = chart.data.sort_values("estimate")
    rows = range(len(data))
    error = [data["estimate"] - data["lower"], data["upper"] - data["estimate"]]
    ax.errorbar(data["estimate"], rows, xerr=error, fmt="o", markersize=3, capsize=2)
    ax.axvline(1.0, color="grey", linewidth=0.8)
    ax.set_yticks(list(rows), data["group"].tolist(), fontsize=7)
    ax.set_xscale("log")
    # plain-text tick labels: the default 10^x labels go through mathtext, the slowest text there is
    ax.xaxis.set_major_formatter(FuncFormatter(_ratio_label))
    ax.xaxis.set_minor_formatter(FuncFormatter(_ratio_label))
    ax.set_xlabel("rate ratio (log scale)")


def _ratio_label(value: float, _: object) -> str:
    """Tick label on a log axis: 0.2, 0.3, 0.5, 1, 2, 3, 5, 10... (others unlabelled)."""
    if value <= 0:
        return ""
    mantissa = value / 10 ** np.floor(np.log10(value))
    return f"{value:g}" if round(float(mantissa), 6) in (1, 2, 3, 5) else ""


def _funnel(ax: Any, chart: Chart) -> None:
    """Council points with 95% and 99.8% limits and the target line (rates per 10,000)."""
    limits = chart.options["limits"]
    for level, style in (("95", "--"), ("99.8", ":")):
        for side in ("lower", "upper"):
            label = f"{level}% limits" if side == "upper" else None
            ax.plot(limits["denominator"], limits[f"{side}_{level}"] * 10_000, style,
                    color="grey", linewidth=0.8, label=label)  # fmt: skip
    ax.axhline(chart.options["target"], color="black", linewidth=0.8)
    flagged = chart.data["flag"].str.contains("99.8")
    ax.scatter(chart.data[chart.x], chart.data[chart.y], s=12, c=flagged.map({True: "crimson",
               False: "steelblue"}))  # fmt: skip
    for _, row in chart.data[flagged].iterrows():
        ax.annotate(str(row["unit"]), (row[chart.x], row[chart.y]), fontsize=6)
    ax.set_xlabel("children (denominator)")
    ax.set_ylabel("per 10,000")
    ax.legend(fontsize=7, frameon=False)


DRAW: dict[str, Callable[[Any, Chart], None]] = {
    "line": _line,
    "steps": _steps,
    "bars": _bars,
    "forest": _forest,
    "funnel": _funnel,
}
