"""Charts for the PDF report, drawn on the server as SVG with matplotlib.

WeasyPrint runs no JavaScript, so the report cannot use plotly.js. These charts
read in black and white: before and after differ by hatching and shade as well
as by colour, and every bar carries its figure.
"""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit
import matplotlib.patches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from costing import engine  # noqa: E402

BEFORE = {"color": "#4c6a8f", "hatch": "", "edgecolor": "black", "linewidth": 0.6}
AFTER = {"color": "#e8c46a", "hatch": "///", "edgecolor": "black", "linewidth": 0.6}
STEP_STYLES = [
    ("#2f3e55", ""),
    ("#5a7696", "..."),
    ("#8ea6c2", "///"),
    ("#c4d3e4", "xx"),
    ("#e8c46a", "\\\\\\"),
    ("#f2dfae", "++"),
    ("#9c9c9c", "--"),
    ("#d9d9d9", "oo"),
    ("#ffffff", "||"),
]
plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 8,
        "svg.fonttype": "none",  # text as text: small files, fast to draw, searchable
        "figure.constrained_layout.use": True,  # fits labels in one drawing pass
        "axes.spines.top": False,
        "axes.spines.right": False,
        "hatch.linewidth": 0.5,
    }
)


def _svg(fig) -> str:
    """The figure as a data: URI, for an <img> that WeasyPrint draws with its SVG renderer."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _money(value: Decimal) -> str:
    return f"£{value:,.2f}"


def cost_by_step(c: engine.Comparison) -> str:
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    bottoms = [0.0, 0.0]
    for (colour, hatch), step in zip(STEP_STYLES, engine.Step, strict=True):
        values = [float(c.before.cost_by_step[step]), float(c.after.cost_by_step[step])]
        if not any(values):
            continue
        ax.bar(
            ["Before", "After"],
            values,
            bottom=bottoms,
            color=colour,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.5,
            label=step.label,
            width=0.55,
        )
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for x, total in enumerate((c.before.cost, c.after.cost)):
        ax.annotate(
            _money(total), (x, float(total)), ha="center", va="bottom", xytext=(0, 2), textcoords="offset points"
        )
    ax.set_ylim(0, float(max(c.before.cost, c.after.cost, Decimal(1))) * 1.15)
    ax.set_ylabel("£")
    ax.set_title("Cost by step", pad=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    return _svg(fig)


def staff_hours(c: engine.Comparison) -> str:
    names = [r.name for r in c.roles]
    before = [float(c.before.staff_minutes[r.key]) / 60 for r in c.roles]
    after = [float(c.after.staff_minutes[r.key]) / 60 for r in c.roles]
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    positions = range(len(names))
    width = 0.38
    bars_b = ax.bar([p - width / 2 for p in positions], before, width, label="Before", **BEFORE)
    bars_a = ax.bar([p + width / 2 for p in positions], after, width, label="After", **AFTER)
    ax.bar_label(bars_b, fmt="%.1f", fontsize=6, padding=1)
    ax.bar_label(bars_a, fmt="%.1f", fontsize=6, padding=1)
    ax.set_xticks(list(positions), names, rotation=20, ha="right")
    ax.set_ylabel("hours")
    ax.set_title("Staff hours by role")
    ax.legend(frameon=False)
    return _svg(fig)


def cost_per_patient(c: engine.Comparison) -> str:
    labels = [f"Before: {co.label}" for co in c.before.cohorts] + [f"After: {co.label}" for co in c.after.cohorts]
    values = [float(co.cost_per_patient) for co in c.before.cohorts + c.after.cohorts]
    styles = [BEFORE] * len(c.before.cohorts) + [AFTER] * len(c.after.cohorts)
    fig, ax = plt.subplots(figsize=(6.5, max(1.6, 0.2 * len(labels) + 0.8)))
    for y, (value, style) in enumerate(zip(values, styles, strict=True)):
        ax.barh(y, value, height=0.7, **style)
        ax.annotate(f"£{value:,.2f}", (value, y), va="center", xytext=(2, 0), textcoords="offset points", fontsize=6)
    ax.set_yticks(range(len(labels)), [label[:60] for label in labels], fontsize=6)
    ax.invert_yaxis()
    ax.set_xlabel("£ per patient")
    ax.set_title("Cost per patient by cohort")
    return _svg(fig)


def savings_waterfall(c: engine.Comparison) -> str:
    labels, starts, heights, kinds = ["Before"], [0.0], [float(c.before.cost)], ["total"]
    running = float(c.before.cost)
    for step in engine.Step:
        change = float(c.after.cost_by_step[step] - c.before.cost_by_step[step])
        if change:
            labels.append(step.label)
            starts.append(running if change > 0 else running + change)
            heights.append(abs(change))
            kinds.append("up" if change > 0 else "down")
            running += change
    labels.append("After")
    starts.append(0.0)
    heights.append(float(c.after.cost))
    kinds.append("total")
    style = {
        "total": {"color": "#4c6a8f", "hatch": ""},
        "down": {"color": "#ffffff", "hatch": "///"},
        "up": {"color": "#9c9c9c", "hatch": "xx"},
    }
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for x, (start, height, kind) in enumerate(zip(starts, heights, kinds, strict=True)):
        ax.bar(x, height, bottom=start, edgecolor="black", linewidth=0.6, width=0.6, **style[kind])
        sign = "" if kind == "total" else ("+" if kind == "up" else "−")
        ax.annotate(
            f"{sign}£{height:,.2f}",
            (x, start + height),
            ha="center",
            va="bottom",
            fontsize=6,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(range(len(labels)), [label[:28] for label in labels], rotation=25, ha="right", fontsize=7)
    ax.set_ylim(0, max(s + h for s, h in zip(starts, heights, strict=True)) * 1.12)
    ax.set_ylabel("£")
    ax.set_title("From before to after (hatched: saving; cross-hatched: extra cost)")
    return _svg(fig)


def all_svg(c: engine.Comparison) -> dict[str, str]:
    return {
        "steps": cost_by_step(c),
        "waterfall": savings_waterfall(c),
        "staff": staff_hours(c),
        "cohorts": cost_per_patient(c),
    }


# ------------------------------------------------------------------ decision support


def _signed_money(value: float) -> str:
    return f"{'−' if value < 0 else ''}£{abs(value):,.2f}"


def tornado(bars, base_saving: Decimal) -> str:
    """One-way sensitivity: the saving with each input at its low end (grey) and high end
    (white, hatched), centred on the modelled saving, widest on top; each end labelled."""
    base = float(base_saving)
    labels = [bar.label for bar in bars]
    fig, ax = plt.subplots(figsize=(6.5, max(1.6, 0.32 * len(labels) + 1.0)))
    low_style = {"facecolor": "#9c9c9c", "hatch": "", "edgecolor": "black", "linewidth": 0.6}
    high_style = {"facecolor": "#ffffff", "hatch": "///", "edgecolor": "black", "linewidth": 0.6}
    ends = []
    for y, bar in enumerate(bars):
        for value, style in ((float(bar.saving_low), low_style), (float(bar.saving_high), high_style)):
            ax.barh(y, value - base, left=base, height=0.62, **style)
            ends.append(value)
        for value in (float(bar.saving_low), float(bar.saving_high)):
            right = value >= base
            ax.annotate(
                _signed_money(value),
                (value, y),
                va="center",
                ha="left" if right else "right",
                xytext=(2 if right else -2, 0),
                textcoords="offset points",
                fontsize=6,
            )
    ax.axvline(base, color="black", linewidth=1.0)
    legend = [
        matplotlib.patches.Patch(label="input at its low end", **low_style),
        matplotlib.patches.Patch(label="input at its high end", **high_style),
    ]
    ax.legend(handles=legend, frameon=False, fontsize=7, loc="lower right")
    ax.set_yticks(range(len(labels)), [label[:48] for label in labels], fontsize=7)
    ax.invert_yaxis()
    span = (max(ends + [base]) - min(ends + [base])) or abs(base) or 1.0
    ax.set_xlim(min(ends + [base]) - 0.18 * span, max(ends + [base]) + 0.18 * span)
    ax.set_xlabel(f"Saving (as modelled: {_signed_money(base)}, the vertical line)")
    ax.set_title("What moves the saving most")
    return _svg(fig)


def saving_histogram(bins, *, p5: Decimal, median: Decimal, p95: Decimal) -> str:
    """How many draws gave each saving; dotted lines at the 5th and 95th percentiles, solid at the median."""
    fig, ax = plt.subplots(figsize=(6.5, 2.4))
    lefts = [float(b.low) for b in bins]
    widths = [float(b.high - b.low) for b in bins]
    ax.bar(
        lefts,
        [b.draws for b in bins],
        width=widths,
        align="edge",
        color="#c4d3e4",
        edgecolor="black",
        linewidth=0.4,
    )
    top = max(b.draws for b in bins)
    for value, style, name in ((p5, ":", "5th"), (median, "-", "median"), (p95, ":", "95th")):
        ax.axvline(float(value), color="black", linestyle=style, linewidth=1.0)
        ax.annotate(
            f"{name}: {_signed_money(float(value))}",
            (float(value), top * (1.08 if name == "median" else 1.18)),
            ha={"5th": "right", "median": "center", "95th": "left"}[name],
            va="bottom",
            fontsize=6,
            xytext={"5th": (-2, 0), "median": (0, 0), "95th": (2, 0)}[name],
            textcoords="offset points",
            backgroundcolor="white",
        )
    ax.set_ylim(0, top * 1.35)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _pos: _signed_money(x)[:-3]))
    ax.set_xlabel("Saving")
    ax.set_ylabel("draws")
    ax.set_title("The saving over the draws", pad=4)
    return _svg(fig)


def capacity_freed(freed) -> str:
    """Staff hours freed by role: grey bars freed, white cross-hatched bars more time after; each labelled."""
    rows = freed.roles
    fig, ax = plt.subplots(figsize=(6.5, max(1.4, 0.3 * len(rows) + 0.9)))
    values = [float(row.hours_freed) for row in rows]
    for y, (row, value) in enumerate(zip(rows, values, strict=True)):
        style = {"color": "#9c9c9c", "hatch": ""} if value >= 0 else {"color": "#ffffff", "hatch": "xx"}
        ax.barh(y, value, height=0.62, edgecolor="black", linewidth=0.6, **style)
        ax.annotate(
            f"{value:,.2f} h ({row.appointments_freed:,} appts)",
            (value, y),
            va="center",
            ha="left" if value >= 0 else "right",
            xytext=(2 if value >= 0 else -2, 0),
            textcoords="offset points",
            fontsize=6,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [row.name[:40] for row in rows], fontsize=7)
    ax.invert_yaxis()
    span = (max(values + [0.0]) - min(values + [0.0])) or 1.0
    ax.set_xlim(min(values + [0.0]) - 0.45 * span, max(values + [0.0]) + 0.45 * span)
    ax.set_xlabel("hours freed (below zero: more of that role's time after)")
    ax.set_title("Staff hours freed by role")
    return _svg(fig)
