"""Plotly figures (as plain JSON-ready dicts) of a comparison.

The browser draws them with plotly.js served by the app; each chart on a page
has its table beside it, so nothing depends on colour or on seeing the chart.
Money goes to the chart as a number: display only, the figures themselves come
from the engine as Decimals.
"""

from __future__ import annotations

from decimal import Decimal

from costing import engine

BEFORE_COLOUR = "#005eb8"  # NHS blue
AFTER_COLOUR = "#ffb81c"  # NHS warm yellow: distinct in greyscale and for colour-blind readers
STEP_COLOURS = ["#003087", "#005eb8", "#41b6e6", "#00a499", "#78be20", "#ffb81c", "#ed8b00", "#8a1538", "#768692"]
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def _n(value: Decimal) -> float:
    return float(value)


def plain(text: str) -> str:
    """A name as plotly shows it, as plain text: plotly reads a subset of HTML in every text
    (``<a href>``, ``<span style>``, ``<br>``) and decodes entities, so ``&`` and ``<`` go as
    entities and a name written as markup shows as written. Every name a person typed goes
    through this on its way into a figure."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _layout(title: str, **extra) -> dict:
    for axis in ("xaxis", "yaxis"):
        extra[axis] = {"automargin": True, **extra.get(axis, {})}
    return {
        "title": {"text": title},
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        **extra,
    }


def cost_by_step(c: engine.Comparison) -> dict:
    """Stacked bars: before and after, each split by step of the process."""
    traces = []
    for colour, step in zip(STEP_COLOURS, engine.Step, strict=True):
        before, after = c.before.cost_by_step[step], c.after.cost_by_step[step]
        if not before and not after:
            continue
        traces.append(
            {
                "type": "bar",
                "name": step.label,
                "x": ["Before", "After"],
                "y": [_n(before), _n(after)],
                "marker": {"color": colour},
                "hovertemplate": "%{x}: £%{y:,.2f}<extra>" + step.label + "</extra>",
            }
        )
    return {
        "data": traces,
        "layout": _layout("Cost by step", barmode="stack", yaxis={"title": {"text": "£"}, "tickprefix": "£"}),
    }


def staff_hours(c: engine.Comparison) -> dict:
    """Grouped bars: hours of each role before and after."""
    names = [plain(r.name) for r in c.roles]
    keys = [r.key for r in c.roles]

    def hours(side: engine.SideResult) -> list[float]:
        return [round(_n(side.staff_minutes[k]) / 60, 2) for k in keys]

    return {
        "data": [
            _bar("Before", names, hours(c.before), BEFORE_COLOUR, "", "%{x}: %{y:,.1f} h"),
            _bar("After", names, hours(c.after), AFTER_COLOUR, "/", "%{x}: %{y:,.1f} h"),
        ],
        "layout": _layout("Staff hours by role", barmode="group", yaxis={"title": {"text": "hours"}}),
    }


def cost_per_patient(c: engine.Comparison) -> dict:
    """Horizontal bars: each cohort's cost per review (per patient each time), before and after."""

    def trace(name: str, side: engine.SideResult, colour: str, pattern: str) -> dict:
        return {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": [f"{name}: {plain(co.label)}" for co in side.cohorts],
            "x": [_n(co.cost_per_patient) for co in side.cohorts],
            "marker": {"color": colour, "pattern": {"shape": pattern}},
            "hovertemplate": "%{y}: £%{x:,.2f}<extra></extra>",
        }

    rows = len(c.before.cohorts) + len(c.after.cohorts)
    return {
        "data": [
            trace("Before", c.before, BEFORE_COLOUR, ""),
            trace("After", c.after, AFTER_COLOUR, "/"),
        ],
        "layout": _layout(
            "Cost per review by cohort",
            height=max(320, 60 + 22 * rows),
            xaxis={"title": {"text": "£ per review"}, "tickprefix": "£"},
            yaxis={"automargin": True, "autorange": "reversed"},
            margin={"l": 20, "r": 20, "t": 50, "b": 60},
        ),
    }


def savings_waterfall(c: engine.Comparison) -> dict:
    """From the cost before to the cost after, step by step of the process."""
    labels, values, measures = ["Before"], [_n(c.before.cost)], ["absolute"]
    for step in engine.Step:
        change = c.after.cost_by_step[step] - c.before.cost_by_step[step]
        if change:
            labels.append(step.label)
            values.append(_n(change))
            measures.append("relative")
    labels.append("After")
    values.append(_n(c.after.cost))
    measures.append("total")
    return {
        "data": [
            {
                "type": "waterfall",
                "x": labels,
                "y": values,
                "measure": measures,
                "decreasing": {"marker": {"color": "#00703c"}},
                "increasing": {"marker": {"color": "#b10e1e"}},
                "totals": {"marker": {"color": BEFORE_COLOUR}},
                "text": [_signed(v, m) for v, m in zip(values, measures, strict=True)],
                "textposition": "outside",
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        ],
        "layout": _layout(
            "From before to after: where the saving comes from", yaxis={"tickprefix": "£"}, showlegend=False
        ),
    }


def scenarios(names: list[str], before: list[Decimal], after: list[Decimal]) -> dict:
    """Grouped bars: before and after cost of several scenarios side by side."""
    return {
        "data": [
            _bar("Before", [plain(n) for n in names], [_n(v) for v in before], BEFORE_COLOUR, "", "%{x}: £%{y:,.2f}"),
            _bar("After", [plain(n) for n in names], [_n(v) for v in after], AFTER_COLOUR, "/", "%{x}: £%{y:,.2f}"),
        ],
        "layout": _layout("Cost before and after, by scenario", barmode="group", yaxis={"tickprefix": "£"}),
    }


def _bar(name: str, x: list, y: list, colour: str, pattern: str, hover: str) -> dict:
    return {
        "type": "bar",
        "name": name,
        "x": x,
        "y": y,
        "marker": {"color": colour, "pattern": {"shape": pattern}},
        "hovertemplate": hover + "<extra>" + name + "</extra>",
    }


def _signed(value: float, measure: str) -> str:
    if measure != "relative":
        return f"£{value:,.2f}"
    return f"{'+' if value > 0 else '−'}£{abs(value):,.2f}"


def all_charts(c: engine.Comparison) -> dict[str, dict]:
    return {
        "chart-steps": cost_by_step(c),
        "chart-staff": staff_hours(c),
        "chart-cohorts": cost_per_patient(c),
        "chart-waterfall": savings_waterfall(c),
    }
