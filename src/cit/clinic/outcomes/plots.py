"""Each scale over time, server-rendered with matplotlib (Agg, no JavaScript).

matplotlib is imported inside the functions: a web worker that never draws a plot does not
pay for importing it.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cit.protocol.knowledge import Scale

_EPOCH = datetime.date(1970, 1, 1)


@dataclass(frozen=True)
class PlotPoint:
    on: datetime.date
    total: float


def _figure(scale: Scale, points: Sequence[PlotPoint], baseline: float | None) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.0), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    # matplotlib's date numbers: days since its epoch, 1970-01-01.
    days = [float((point.on - _EPOCH).days) for point in points]
    totals = [point.total for point in points]
    mic = scale.minimal_important_change
    if baseline is not None and mic is not None:
        axes.axhspan(
            baseline - mic,
            baseline + mic,
            color="#9ecae1",
            alpha=0.35,
            label="Within the minimal important change",
        )
    if baseline is not None:
        axes.axhline(baseline, color="#525252", linestyle="--", linewidth=1, label="Baseline")
    axes.plot(days, totals, marker="o", color="#08519c", linewidth=2, label=scale.short)
    padding = (scale.maximum - scale.minimum) * 0.05
    axes.set_ylim(scale.minimum - padding, scale.maximum + padding)
    if scale.kind == "grade":
        axes.set_yticks([value for value, _ in scale.grades])
    better = {"lower": " (lower is better)", "higher": " (higher is better)"}.get(
        scale.better or "", ""
    )
    axes.set_ylabel(f"{scale.short}{better}", fontsize=9)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))  # type: ignore[no-untyped-call]
    axes.tick_params(labelsize=8)
    if len(days) == 1:
        axes.set_xlim(days[0] - 15, days[0] + 15)  # days either side of a lone point
    figure.autofmt_xdate()
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8, loc="best")
    return figure


def plot_svg(scale: Scale, points: Sequence[PlotPoint], baseline: float | None) -> str:
    """The plot as an SVG document (no scripts, fonts as paths, no date stamp)."""
    import matplotlib

    figure = _figure(scale, points, baseline)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": scale.id}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def plot_png(scale: Scale, points: Sequence[PlotPoint], baseline: float | None) -> bytes:
    """The plot as a PNG for the PDF summary."""
    figure = _figure(scale, points, baseline)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()
