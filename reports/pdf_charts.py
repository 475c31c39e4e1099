"""Charts for the PDF report: matplotlib figures written as vector SVG, each with alternative text of its figures.

WeasyPrint runs no JavaScript, so the report cannot use the pages' plotly.js.
These are drawn by matplotlib (its object API: no pyplot, no global figure
state) as SVG whose words stay text (``svg.fonttype: none``), in the report's
font, DejaVu Sans. They read in black and white: before and after differ by
shade and hatching as well as by place, and every bar carries its figure,
rounded as the tables round it. Each chart comes with alternative text that
states those figures, for the tagged PDF (PDF/UA) and screen readers.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from costing import engine
from reports.sheet_format import hours

WIDTH = 7.1  # inches: the report's text width (A4 less 15 mm margins), so that 7.5 pt prints as 7.5 pt
SUMMARY_WIDTH = 4.0  # inches: page 1's chart, beside the staff hours table
FONT_SIZE = 7.5
BEFORE = {"facecolor": "#4d4d4d", "edgecolor": "black", "hatch": None}
AFTER = {"facecolor": "white", "edgecolor": "black", "hatch": "////"}
STYLE = {
    "svg.fonttype": "none",  # words as text, not outlines
    "svg.hashsalt": "pcsp-report",  # the same chart gives the same SVG
    "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1.5,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
    "figure.dpi": 72,
}


@dataclass(frozen=True)
class Chart:
    """An SVG drawing and the alternative text that says what it shows, figures included."""

    svg: bytes
    alt: str


def _gbp(value: Decimal | float) -> str:
    """£1,234.56 and −£1.00, as the report's tables write money."""
    value = Decimal(str(value)).quantize(engine.PENNY)
    return f"{'−' if value < 0 else ''}£{abs(value):,}"


def _styled(draw: Callable[..., Chart]) -> Callable[..., Chart]:
    """``draw`` with the report's chart style (matplotlib reads it as each part of a figure is made)."""

    @functools.wraps(draw)
    def styled(*args, **kwargs) -> Chart:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return styled


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


# Margins in inches, set by hand: matplotlib's automatic layout draws each chart once more to measure it,
# which doubled the charts' share of a report's time.
TOP, BOTTOM, RIGHT = 0.32, 0.5, 0.15
CHAR_WIDTH = 0.6 * FONT_SIZE / 72  # inches: DejaVu Sans's average character at the tick labels' size


def _figure(height: float, width: float = WIDTH, labels: Sequence[str] = ()) -> tuple[Figure, object]:
    """A figure ``width`` by ``height`` inches, its plot leaving room on the left for ``labels`` (lines of)."""
    longest = max((len(line) for label in labels for line in label.split("\n")), default=6)
    left = min(width * 0.45, 0.25 + longest * CHAR_WIDTH)
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=left / width, right=1 - RIGHT / width, top=1 - TOP / height, bottom=BOTTOM / height)
    return figure, figure.add_subplot()


def _wrap(label: str, width: int = 30, lines: int | None = 3) -> str:
    """A long label on up to ``lines`` lines, cut short with "…" past them, so that it stays beside its
    own bars (a row has room for that many); the chart's text alternative and the report's tables
    hold it whole. ``lines`` None: whole, for a chart that gives each row room for its label's lines."""
    return "\n".join(textwrap.wrap(label, width, max_lines=lines, placeholder=" …")) or label


def _axis_formatter(step: float, money: bool) -> FuncFormatter:
    """Tick labels with as many decimals as the step between ticks needs (0.25, 0.5 … not 0, 0, 1)."""
    decimals = next((d for d in range(3) if abs(step * 10**d - round(step * 10**d)) < 1e-9), 2)

    def label(value: float, _position) -> str:
        text = f"{abs(value):,.{decimals}f}"
        sign = "−" if value < 0 and float(text.replace(",", "")) != 0 else ""
        return f"{sign}£{text}" if money else f"{sign}{text}"

    return FuncFormatter(label)


def _value_axis(axes, values: Sequence[float], *, money: bool, horizontal: bool, room: float = 0.18) -> None:
    """Limits with room for the bars' labels, nice ticks, their labels; a line at 0."""
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    limits = (low - room * span if low < 0 else 0.0, high + room * span if high > 0 else 0.0)
    axis = axes.xaxis if horizontal else axes.yaxis
    (axes.set_xlim if horizontal else axes.set_ylim)(*limits)
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ticks = [t for t in axis.get_major_locator().tick_values(*limits)]
    step = (ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    axis.set_major_formatter(_axis_formatter(step, money))
    (axes.axvline if horizontal else axes.axhline)(0, color="black", linewidth=0.8)
    axes.grid(axis="x" if horizontal else "y", color="#cccccc", linewidth=0.5)
    axes.set_axisbelow(True)


def _paired_bars(
    title: str,
    labels: Sequence[str],
    before: Sequence[float],
    after: Sequence[float],
    text: Callable[[float], str],
    *,
    money: bool,
    unit: str,
    width: float = WIDTH,
    wrap: int = 30,
) -> bytes:
    """Horizontal bars in pairs, before (dark) above after (white, hatched), each with its figure."""
    rows = len(labels)
    wrapped = [_wrap(label, wrap) for label in labels]
    figure, axes = _figure(max(1.8, 0.42 * rows + 0.9), width, wrapped)
    height = 0.38
    positions = list(range(rows))
    for offset, values, style, name in ((-height / 2, before, BEFORE, "Before"), (height / 2, after, AFTER, "After")):
        bars = axes.barh([p + offset for p in positions], values, height=height, linewidth=0.6, label=name, **style)
        axes.bar_label(bars, labels=[text(v) for v in values], padding=2, fontsize=FONT_SIZE - 0.5)
    axes.set_yticks(positions, wrapped)
    axes.invert_yaxis()
    _value_axis(axes, [*before, *after], money=money, horizontal=True)
    axes.set_xlabel(unit)
    axes.set_title(title, loc="left")
    _legend_above(axes)
    axes.tick_params(axis="y", length=0)
    return _svg(figure)


def _legend_above(axes) -> None:
    """The legend in one row above the plot, at the right of the title: never over a bar or its figure."""
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=FONT_SIZE - 0.5, borderaxespad=0.2)


def _pairs_alt(kind: str, labels: Sequence[str], before: Sequence[str], after: Sequence[str]) -> str:
    parts = [f"{label}: {b} before, {a} after" for label, b, a in zip(labels, before, after, strict=True)]
    return f"{kind}. " + "; ".join(parts) + "."


# ----------------------------------------------------------------------- comparison


@_styled
def cost_by_step(c: engine.Comparison) -> Chart:
    """The cost of each kind of step, before and after: page 1's chart, drawn at the width it prints."""
    steps = [s for s in engine.Step if c.before.cost_by_step[s] or c.after.cost_by_step[s]]
    labels = [s.label for s in steps]
    before = [c.before.cost_by_step[s] for s in steps]
    after = [c.after.cost_by_step[s] for s in steps]
    svg = _paired_bars(
        "Cost by step",
        labels,
        [float(v) for v in before],
        [float(v) for v in after],
        _gbp,
        money=True,
        unit=f"£ ({c.period.value})",
        width=SUMMARY_WIDTH,
        wrap=18,
    )
    alt = _pairs_alt(
        f"Bar chart of the cost of each step, before and after ({c.period.value}); total {_gbp(c.before.cost)} "
        f"before, {_gbp(c.after.cost)} after",
        labels,
        [_gbp(v) for v in before],
        [_gbp(v) for v in after],
    )
    return Chart(svg, alt)


@_styled
def savings_waterfall(c: engine.Comparison) -> Chart:
    """From the cost before to the cost after, a bar for each step that changes (hatched: a saving)."""
    bars = [("Before", 0.0, float(c.before.cost), "total")]
    running = float(c.before.cost)
    changes = []
    for step in engine.Step:
        change = c.after.cost_by_step[step] - c.before.cost_by_step[step]
        if change:
            bars.append((step.label, running, running + float(change), "up" if change > 0 else "down"))
            running += float(change)
            changes.append(f"{step.label} {'+' if change > 0 else '−'}{_gbp(abs(change))}")
    bars.append(("After", 0.0, float(c.after.cost), "total"))
    styles = {
        "total": BEFORE,
        "down": AFTER,
        "up": {"facecolor": "#b3b3b3", "edgecolor": "black", "hatch": "xxx"},
    }
    figure, axes = _figure(3.2, labels=["£00,000"])
    figure.subplots_adjust(bottom=0.75 / 3.2)  # step names on three lines below the bars
    for i, (_label, start, end, kind) in enumerate(bars):
        bar = axes.bar(i, end - start, bottom=start, width=0.64, linewidth=0.6, **styles[kind])
        sign = {"total": "", "up": "+", "down": "−"}[kind]
        axes.bar_label(bar, labels=[f"{sign}{_gbp(abs(end - start))}"], padding=2, fontsize=FONT_SIZE - 1)
    axes.set_xticks(range(len(bars)), [_wrap(label, 14, lines=4) for label, *_ in bars], fontsize=FONT_SIZE - 1)
    _value_axis(axes, [max(a, b) for _l, a, b, _k in bars], money=True, horizontal=False, room=0.12)
    axes.set_title("From before to after, step by step (hatched: saving; cross-hatched: extra cost)", loc="left")
    axes.tick_params(axis="x", length=0)
    alt = (
        f"Waterfall chart from the cost before, {_gbp(c.before.cost)}, to the cost after, {_gbp(c.after.cost)}: "
        + ("; ".join(changes) or "no step changes")
        + "."
    )
    return Chart(_svg(figure), alt)


@_styled
def staff_hours(c: engine.Comparison) -> Chart:
    """Each role's hours before and after, to a tenth as the staff table shows them."""
    labels = [role.name for role in c.roles]
    before = [hours(c.before.staff_minutes[r.key]) for r in c.roles]
    after = [hours(c.after.staff_minutes[r.key]) for r in c.roles]
    svg = _paired_bars(
        "Staff hours by role",
        labels,
        [float(v) for v in before],
        [float(v) for v in after],
        lambda v: f"{v:,.1f}",
        money=False,
        unit=f"hours ({c.period.value})",
    )
    alt = _pairs_alt(
        f"Bar chart of staff hours by role, before and after ({c.period.value})",
        labels,
        [f"{v:,} hours" for v in before],
        [f"{v:,} hours" for v in after],
    )
    return Chart(svg, alt)


# The most lines of cohort labels one chart page holds at a readable size: 80 cohorts of one line each,
# fewer of longer names (every label is whole, so a name of 200 characters takes five lines).
MAX_COHORT_LINES = 80


@_styled
def cost_per_review(c: engine.Comparison) -> Chart:
    """A bar a cohort: its cost per review, before (dark) then after (white, hatched).

    Past MAX_COHORT_LINES lines of labels, the costliest that fit, in their order (every cohort is in the
    tables): more labels overlap one another, and each letter is a text WeasyPrint lays out on its own.
    """
    rows = [(f"Before: {co.label}", co.cost_per_patient, BEFORE) for co in c.before.cohorts]
    rows += [(f"After: {co.label}", co.cost_per_patient, AFTER) for co in c.after.cohorts]
    title = "Cost per review by cohort"
    wrapped = [_wrap(label, 44, lines=None) for label, *_ in rows]
    lines = [label.count("\n") + 1 for label in wrapped]
    # The rows are evenly spaced: each has room for as many lines as the longest label kept.
    if len(rows) * max(lines, default=1) > MAX_COHORT_LINES:
        kept, most = [], 1
        for i in sorted(range(len(rows)), key=lambda i: -rows[i][1]):
            if kept and (len(kept) + 1) * max(most, lines[i]) > MAX_COHORT_LINES:
                break
            kept.append(i)
            most = max(most, lines[i])
        kept = sorted(kept)
        # On two lines: on one it ran past the chart's right edge.
        title = f"Cost per review: the {len(kept)} costliest of {len(rows)} cohorts\n(all are in the tables)"
        rows, wrapped, lines = [rows[i] for i in kept], [wrapped[i] for i in kept], [lines[i] for i in kept]
    labels = wrapped
    height = max(1.6, 0.2 * len(rows) + 0.8, 0.1 * len(rows) * max(lines, default=1) + 0.8)
    figure, axes = _figure(min(9.0, height), labels=labels)
    if "\n" in title:
        figure.subplots_adjust(top=1 - (TOP + 0.15) / min(9.0, height))
    for i, (_label, value, style) in enumerate(rows):
        bar = axes.barh(i, float(value), height=0.7, linewidth=0.6, **style)
        axes.bar_label(bar, labels=[_gbp(value)], padding=2, fontsize=FONT_SIZE - 1)
    axes.set_yticks(range(len(rows)), labels, fontsize=FONT_SIZE - 1, linespacing=1.0)
    axes.invert_yaxis()
    _value_axis(axes, [float(v) for _l, v, _s in rows], money=True, horizontal=True)
    axes.set_xlabel("£ per review")
    axes.set_title(title, loc="left")
    axes.tick_params(axis="y", length=0)
    alt = "Bar chart of the cost per review of each cohort. " + "; ".join(f"{label}: {_gbp(v)}" for label, v, _ in rows)
    return Chart(_svg(figure), alt + ".")


def all_charts(c: engine.Comparison) -> dict[str, Chart]:
    return {
        "steps": cost_by_step(c),
        "waterfall": savings_waterfall(c),
        "staff": staff_hours(c),
        "cohorts": cost_per_review(c),
    }


# ------------------------------------------------------------------ decision support


@_styled
def tornado(bars, base_saving: Decimal) -> Chart:
    """One-way sensitivity: the saving with each input at its low end (grey) and high end (white, hatched)
    around the modelled saving (the vertical line), widest on top."""
    base = float(base_saving)
    labels = [_wrap(bar.label, 34, lines=2) for bar in bars]  # a row: 0.36 in, two lines
    figure, axes = _figure(max(1.8, 0.36 * len(bars) + 1.1), labels=labels)
    low_style = {"facecolor": "#999999", "edgecolor": "black", "hatch": None}
    for i, bar in enumerate(bars):
        for value, style, name in ((bar.saving_low, low_style, "low end"), (bar.saving_high, AFTER, "high end")):
            drawn = axes.barh(
                i,
                float(value) - base,
                left=base,
                height=0.6,
                linewidth=0.6,
                label=f"input at its {name}" if i == 0 else None,
                **style,
            )
            axes.bar_label(drawn, labels=[_gbp(value)], padding=2, fontsize=FONT_SIZE - 1)
    axes.set_yticks(range(len(bars)), labels)
    axes.invert_yaxis()
    ends = [float(v) for bar in bars for v in (bar.saving_low, bar.saving_high)]
    low, high = min(ends + [base]), max(ends + [base])
    span = (high - low) or abs(base) or 1.0
    axes.set_xlim(low - 0.25 * span, high + 0.25 * span)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ticks = axes.xaxis.get_major_locator().tick_values(low - 0.25 * span, high + 0.25 * span)
    axes.xaxis.set_major_formatter(_axis_formatter(ticks[1] - ticks[0] if len(ticks) > 1 else 1.0, True))
    axes.axvline(base, color="black", linewidth=1.0)
    axes.set_xlabel(f"Saving (the line: {_gbp(base_saving)} as modelled)")
    axes.set_title("What moves the saving most", loc="left")
    # Below the input names, clear of the title and the axis label.
    figure.legend(loc="lower left", bbox_to_anchor=(0.01, 0.01), ncols=1, fontsize=FONT_SIZE - 0.5)
    axes.tick_params(axis="y", length=0)
    alt = (
        f"Tornado chart of the saving, {_gbp(base_saving)} as modelled, with each input at its low and high end: "
        + "; ".join(f"{bar.label}: {_gbp(bar.saving_low)} to {_gbp(bar.saving_high)}" for bar in bars)
        + "."
    )
    return Chart(_svg(figure), alt)


@_styled
def saving_histogram(bins, *, p5: Decimal, median: Decimal, p95: Decimal) -> Chart:
    """How many variations gave each saving; dotted lines at the 5th and 95th percentiles, solid at the median."""
    figure, axes = _figure(2.6, labels=["000000"])
    figure.subplots_adjust(top=1 - 0.6 / 2.6)  # the percentiles' labels above the bars
    lefts = [float(b.low) for b in bins]
    widths = [float(b.high - b.low) for b in bins]
    axes.bar(lefts, [b.draws for b in bins], width=widths, align="edge", color="#cccccc", edgecolor="black", lw=0.4)
    top = max(b.draws for b in bins)
    for value, style, name in ((p5, ":", "5th percentile"), (median, "-", "median"), (p95, ":", "95th percentile")):
        axes.axvline(float(value), color="black", linestyle=style, linewidth=1.0)
        axes.annotate(
            f"{name}\n{_gbp(value)}",
            (float(value), top * 1.02),
            ha="center",
            va="bottom",
            fontsize=FONT_SIZE - 1,
            annotation_clip=False,
        )
    axes.set_ylim(0, top * 1.35)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    low, high = float(bins[0].low), float(bins[-1].high)
    ticks = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    axes.xaxis.set_major_formatter(_axis_formatter(ticks[1] - ticks[0] if len(ticks) > 1 else 1.0, True))
    axes.set_xlabel("Saving")
    axes.set_ylabel("Variations")
    axes.set_title("The saving over the simulated variations", loc="left")
    alt = (
        f"Histogram of the saving over {sum(b.draws for b in bins):,} simulated variations, from {_gbp(bins[0].low)} "
        f"to {_gbp(bins[-1].high)}: 5th percentile {_gbp(p5)}, median {_gbp(median)}, 95th percentile {_gbp(p95)}."
    )
    return Chart(_svg(figure), alt)


@_styled
def capacity_freed(freed) -> Chart:
    """Staff hours freed by role: grey bars freed, white cross-hatched bars more time after; each labelled."""
    rows = freed.roles
    labels = [_wrap(row.name, 30, lines=2) for row in rows]  # a row: 0.34 in, two lines
    figure, axes = _figure(max(1.5, 0.34 * len(rows) + 0.9), labels=labels)
    values = [float(row.hours_freed) for row in rows]
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        style = {"facecolor": "#999999", "edgecolor": "black", "hatch": None} if value >= 0 else AFTER
        bar = axes.barh(i, value, height=0.6, linewidth=0.6, **style)
        axes.bar_label(
            bar, labels=[f"{row.hours_freed:,} h ({row.appointments_freed:,} appts)"], padding=2, fontsize=6.5
        )
    axes.set_yticks(range(len(rows)), labels)
    axes.invert_yaxis()
    _value_axis(axes, values, money=False, horizontal=True, room=0.6)
    axes.set_xlabel("hours freed (below zero: more of that role's time after)")
    axes.set_title("Staff hours freed by role", loc="left")
    axes.tick_params(axis="y", length=0)
    alt = "Bar chart of staff hours freed by role (negative: more time after). " + "; ".join(
        f"{row.name}: {row.hours_freed:,} hours, {row.appointments_freed:,} appointments" for row in rows
    )
    return Chart(_svg(figure), alt + ".")
