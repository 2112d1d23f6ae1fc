"""The report's charts, drawn with matplotlib into SVG (for the page) and PNG.

matplotlib is imported inside the functions that draw, so importing sheetsync
(and ``sheetsync --help``) never pays for it.  Each chart is a plain
``Figure`` (no pyplot, so no global state and no GUI backend).

Colours follow the page's light or dark scheme: the SVG is drawn with
placeholder colours that are then replaced by ``currentColor`` (text, axes) and
CSS variables (data), which the page defines for both schemes.  The PNG uses
the light colours.

Every data mark carries an id (``bar-…``, ``dot-…``, ``week-…``,
``month-…``) so a test can count what was drawn.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from .data import GROUPS, ReportData

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WEEKS: Final = 52
MONTHS: Final = 12
KINDS_SHOWN: Final = 5

#: Light colours, used by the PNG and as the page's light scheme (Okabe-Ito, colour-blind safe).
LIGHT: Final[Mapping[str, str]] = {
    "ink": "#1f2328",
    "grid": "#d0d7de",
    "ok": "#009e73",
    "due soon": "#e69f00",
    "overdue": "#d55e00",
    "lapsed": "#8e2c6e",
    "other": "#8c959f",
    "kind0": "#0072b2",
    "kind1": "#56b4e9",
    "kind2": "#009e73",
    "kind3": "#e69f00",
    "kind4": "#cc79a7",
    "drafted": "#0072b2",
    "followed": "#009e73",
}
DARK: Final[Mapping[str, str]] = {
    "ink": "#e6edf3",
    "grid": "#3d444d",
    "ok": "#3fcf9f",
    "due soon": "#f5b83d",
    "overdue": "#ff8a4c",
    "lapsed": "#e58ccf",
    "other": "#9198a1",
    "kind0": "#58a6ff",
    "kind1": "#9fd6ff",
    "kind2": "#3fcf9f",
    "kind3": "#f5b83d",
    "kind4": "#e58ccf",
    "drafted": "#58a6ff",
    "followed": "#3fcf9f",
}
# Placeholders no one picks: "#0000" and a role number.
_PLACEHOLDER: Final[Mapping[str, str]] = {
    role: f"#0000{number:02x}" for number, role in enumerate(LIGHT, start=1)
}
# Not strftime's names, which follow the process locale.
_MONTH_ABBREVIATIONS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_SVG_SIZE: Final = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')


@dataclass(frozen=True)
class Chart:
    """One chart of the page: an id for the page, a heading and a caption for people."""

    id: str
    title: str
    caption: str
    draw: Callable[[Axes, ReportData, Mapping[str, str]], None]
    height: float = 2.8


def css_var(role: str) -> str:
    return "--c-" + role.replace(" ", "-")


def charts(data: ReportData) -> list[Chart]:
    """The page's charts, in order, with captions that say what they show."""
    shown = len(data.plotted())
    left_off = len(data.people) - shown
    dots_caption = (
        f"Each dot is one of {shown} people: how long since you last talked, against how "
        f"often you mean to. Above the lower line a follow-up is due; above the upper line "
        f"(×{data.lapsed_ratio:g}) the contact has lapsed."
    )
    if left_off:
        dots_caption += f" {left_off} without a readable date are not shown."
    return [
        Chart("status", "Where everyone stands, by tier", _status_caption(data), _draw_status),
        Chart("staleness", "Staleness against cadence", dots_caption, _draw_dots, 3.4),
        Chart(
            "interactions",
            "Interactions per week, last year",
            f"From {data.history_source}, by kind; {len(data.history)} interactions.",
            _draw_weeks,
            2.8 if data.history else 1.0,
        ),
        Chart(
            "followups",
            "Follow-ups drafted, and followed by an interaction",
            _followup_caption(data),
            _draw_months,
            2.8 if data.drafts else 1.0,
        ),
    ]


def chart_svgs(data: ReportData) -> list[tuple[Chart, str]]:
    """Each chart with its SVG, ready to inline in a page whose CSS defines the colours."""
    out = []
    for chart in charts(data):
        figure = _figure(chart, data, _PLACEHOLDER, width=7.0)
        out.append((chart, _themed_svg(figure)))
    return out


def render_png(data: ReportData, path: Any = None, *, dpi: int = 110) -> bytes:
    """All charts on one light PNG image (a title and the counts above them).

    Writes it to ``path`` when given (a path or a binary file); returns the bytes.
    """
    from matplotlib.figure import Figure

    with _style():
        parts = charts(data)
        heights = [c.height for c in parts]
        figure = Figure(figsize=(8.0, sum(heights) + 1.0), layout="constrained")
        figure.patch.set_facecolor("white")
        totals = data.totals()
        figure.suptitle(
            f"{data.sheet} on {data.today.isoformat()}: "
            + ", ".join(f"{totals[g]} {g}" for g in GROUPS if totals[g]),
            color=LIGHT["ink"],
            fontsize=11,
        )
        axes = figure.subplots(len(parts), 1, height_ratios=heights)
        for ax, chart in zip(axes, parts, strict=True):
            chart.draw(ax, data, LIGHT)
            # Padded: the legend sits between the title and the chart.
            ax.set_title(chart.title, loc="left", fontsize=10, color=LIGHT["ink"], pad=20)
        return _save_png(figure, path, dpi)


def digest_png(data: ReportData, *, dpi: int = 100) -> bytes:
    """A small light PNG for the morning digest: the status bars only."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(5.0, 1.4 + 0.25 * len(data.counts())), layout="constrained")
        figure.patch.set_facecolor("white")
        _draw_status(figure.subplots(), data, LIGHT)
        return _save_png(figure, None, dpi)


# --------------------------------------------------------------------------- drawing


def _draw_status(ax: Axes, data: ReportData, colours: Mapping[str, str]) -> None:
    counts = data.counts()
    tiers = list(counts)
    if not tiers:
        _empty(ax, "No contacts yet.", colours)
        return
    left = [0] * len(tiers)
    for group in GROUPS:
        widths = [counts[t][group] for t in tiers]
        if not any(widths):
            continue
        bars = ax.barh(
            [f"tier {t}" if t != "no tier" else t for t in tiers],
            widths,
            left=left,
            color=colours[group],
            label=group,
            height=0.6,
        )
        for bar, tier, width in zip(bars, tiers, widths, strict=True):
            bar.set_gid(f"bar-{group.replace(' ', '-')}-{tier}" if width else None)
            if width:
                x = bar.get_x() + width / 2
                ax.text(
                    x,
                    bar.get_y() + 0.3,
                    str(width),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("contacts")
    _legend(ax, colours, ncols=5)
    _finish(ax, colours, grid_axis="x")


def _draw_dots(ax: Axes, data: ReportData, colours: Mapping[str, str]) -> None:
    people = data.plotted()
    if not people:
        _empty(ax, "No one with a last-contact date yet.", colours)
        return
    # Log scales: a 14-day and a 91-day cadence share the chart, and the lines
    # "due" (days = cadence) and "lapsed" (days = ratio x cadence) stay straight.
    low_x = min(p.cadence for p in people) / 1.5
    top_x = max(p.cadence for p in people) * 1.5
    for factor, style in ((1.0, "-"), (data.lapsed_ratio, "--")):
        ax.plot(
            [low_x, top_x],
            [low_x * factor, top_x * factor],
            color=colours["grid"],
            linewidth=1.2,
            linestyle=style,
            zorder=1,
        )
    for group in GROUPS:
        members = [p for p in people if p.group == group]
        if not members:
            continue
        dots = ax.scatter(
            [p.cadence for p in members],
            [max(p.days or 0.0, 1.0) for p in members],
            s=28,
            color=colours[group],
            edgecolors=colours["ink"],
            linewidths=0.4,
            label=group,
            zorder=3,
        )
        dots.set_gid(f"dots-{group.replace(' ', '-')}")
    import matplotlib.ticker as mticker

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low_x, top_x)
    ax.set_ylim(bottom=0.8)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(mticker.FixedLocator([1, 3, 7, 14, 30, 60, 90, 180, 365, 730]))
        axis.set_major_formatter(mticker.FormatStrFormatter("%d"))
        axis.set_minor_locator(mticker.NullLocator())
    ax.set_xlabel("cadence (days)")
    ax.set_ylabel("days since last contact")
    _legend(ax, colours, ncols=5)
    _finish(ax, colours, grid_axis="both")


def _draw_weeks(ax: Axes, data: ReportData, colours: Mapping[str, str]) -> None:
    start = data.today - dt.timedelta(days=7 * WEEKS - 1)
    recent = [e for e in data.history if start <= e.when <= data.today]
    if not recent:
        _empty(ax, "No interactions recorded in the last year.", colours)
        return
    kinds = [k for k, _ in Counter(e.kind for e in recent).most_common()]
    shown, rest = kinds[: KINDS_SHOWN - 1], kinds[KINDS_SHOWN - 1 :]
    if len(rest) == 1:
        shown, rest = kinds, []
    import matplotlib.dates as mdates

    weeks = [float(mdates.date2num(start + dt.timedelta(days=7 * w))) for w in range(WEEKS)]
    bottom = [0] * WEEKS
    for number, kind in enumerate([*shown, "other kinds"] if rest else shown):
        wanted = set(rest) if kind == "other kinds" and rest else {kind}
        heights = [0] * WEEKS
        for entry in recent:
            if entry.kind in wanted:
                heights[(entry.when - start).days // 7] += 1
        bars = ax.bar(
            weeks,
            heights,
            bottom=bottom,
            width=6,
            align="edge",
            color=colours[f"kind{number}"],
            label=kind,
        )
        for week, bar, height in zip(range(WEEKS), bars, heights, strict=True):
            bar.set_gid(f"week-{number}-{week}" if height else None)
        bottom = [a + b for a, b in zip(bottom, heights, strict=True)]
    _date_axis(ax)
    _whole_numbers(ax)
    ax.set_ylabel("interactions")
    _legend(ax, colours, ncols=min(5, len(shown) + bool(rest)))
    _finish(ax, colours, grid_axis="y")


def _draw_months(ax: Axes, data: ReportData, colours: Mapping[str, str]) -> None:
    months = _last_months(data.today)
    index = {m: i for i, m in enumerate(months)}
    drafted, followed = [0] * MONTHS, [0] * MONTHS
    for entry in data.drafts:
        at = index.get((entry.drafted_on.year, entry.drafted_on.month))
        if at is None:
            continue
        drafted[at] += 1
        followed[at] += entry.followed_on is not None
    if not any(drafted):
        _empty(ax, "No follow-ups drafted in the last year yet.", colours)
        return
    labels = [_MONTH_ABBREVIATIONS[m - 1] for _, m in months]
    xs = list(range(MONTHS))
    for name, values, shift in (("drafted", drafted, -0.2), ("followed", followed, 0.2)):
        bars = ax.bar(
            [x + shift for x in xs],
            values,
            width=0.4,
            color=colours[name],
            label="drafted" if name == "drafted" else "followed by an interaction",
        )
        for x, bar, value in zip(xs, bars, values, strict=True):
            bar.set_gid(f"month-{name}-{x}" if value else None)
    ax.set_xticks(xs, labels)
    _whole_numbers(ax)
    ax.set_ylabel("follow-ups")
    _legend(ax, colours, ncols=2)
    _finish(ax, colours, grid_axis="y")


# --------------------------------------------------------------------------- helpers


def _status_caption(data: ReportData) -> str:
    totals = data.totals()
    parts = ", ".join(f"{totals[g]} {g}" for g in GROUPS if totals[g])
    return f"{len(data.people)} contacts: {parts}." if data.people else "No contacts yet."


def _followup_caption(data: ReportData) -> str:
    made = len(data.drafts)
    followed = sum(d.followed_on is not None for d in data.drafts)
    if not made:
        return "Nothing drafted yet; a bar appears for each month sheetsync drafts follow-ups."
    return f"{followed} of {made} drafted follow-ups were followed by an interaction."


def _last_months(today: dt.date) -> list[tuple[int, int]]:
    index = today.year * 12 + today.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - MONTHS + 1, index + 1)]


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonthday=1, interval=2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def _whole_numbers(ax: Axes) -> None:
    import matplotlib.ticker as mticker

    ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))


def _empty(ax: Axes, message: str, colours: Mapping[str, str]) -> None:
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=colours["ink"],
        gid="empty",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    _finish(ax, colours, grid_axis=None)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def _legend(ax: Axes, colours: Mapping[str, str], *, ncols: int) -> None:
    legend = ax.legend(
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=ncols,
        frameon=False,
        fontsize=8,
        borderaxespad=0.2,
        handlelength=1.2,
    )
    for text in legend.get_texts():
        text.set_color(colours["ink"])


def _finish(
    ax: Axes, colours: Mapping[str, str], *, grid_axis: Literal["x", "y", "both"] | None
) -> None:
    ax.set_facecolor("none")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(colours["ink"])
    ax.tick_params(colors=colours["ink"], labelsize=8)
    ax.xaxis.label.set_color(colours["ink"])
    ax.yaxis.label.set_color(colours["ink"])
    if grid_axis:
        ax.grid(axis=grid_axis, color=colours["grid"], linewidth=0.6)
        ax.set_axisbelow(True)


def _style() -> Any:
    import matplotlib

    return matplotlib.rc_context(
        {
            "svg.fonttype": "none",  # text stays text: smaller, selectable, readable aloud
            "svg.hashsalt": "sheetsync",  # the same ids on every run
            "font.family": "sans-serif",
            "font.size": 9,
            "figure.dpi": 100,
        }
    )


def _figure(chart: Chart, data: ReportData, colours: Mapping[str, str], *, width: float) -> Figure:
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(width, chart.height), layout="constrained")
        figure.patch.set_alpha(0)
        chart.draw(figure.subplots(), data, colours)
        figure.canvas.draw()  # lay out while the style applies
        return figure


def _themed_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with _style():
        figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # The page sizes the chart; the viewBox keeps its shape.
    svg = _SVG_SIZE.sub(r'<svg\1 width="100%"', svg, count=1)
    for role, placeholder in _PLACEHOLDER.items():
        value = "currentColor" if role == "ink" else f"var({css_var(role)})"
        svg = svg.replace(placeholder, value)
    return svg


def _save_png(figure: Figure, path: Any, dpi: int) -> bytes:
    buffer = io.BytesIO()
    with _style():
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    png = buffer.getvalue()
    if path is not None:
        if hasattr(path, "write"):
            path.write(png)
        else:
            from pathlib import Path

            Path(path).write_bytes(png)
    return png
