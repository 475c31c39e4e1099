"""Plotly figures (plain JSON-ready dicts) of decision support, drawn by static/js/charts.js.

Pure, like the rest of this package: the figures come in as Decimals from the
decision modules and go to the chart as numbers, for display only. Every chart
has its table beside it on the page; the two ends of a tornado bar differ by
pattern as well as by colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from costing import engine
from costing.charts import plain
from costing.decisions.capacity import CapacityFreed
from costing.decisions.sensitivity import TornadoBar

# Every fill is at least 3:1 against the white background (WCAG 1.4.11).
LOW_COLOUR = "#005eb8"  # NHS blue: the input at its low end (6.4:1)
HIGH_COLOUR = "#c05a00"  # dark orange: the input at its high end (4.5:1; hatched, so distinct in greyscale)
FREED_COLOUR = "#00703c"
MORE_COLOUR = "#b10e1e"
HISTOGRAM_COLOUR = "#0072ce"  # NHS bright blue (4.9:1)
LINE_COLOUR = "#212b32"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def _n(value: Decimal) -> float:
    return float(value)


def _money(value: Decimal) -> str:
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def _layout(title: str, **extra) -> dict:
    for axis in ("xaxis", "yaxis"):
        extra[axis] = {"automargin": True, **extra.get(axis, {})}
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "font": FONT,
        "margin": {"l": 20, "r": 20, "t": 50, "b": 60},
        "legend": {"orientation": "h", "y": -0.15},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        **extra,
    }


def _vertical_line(x: float, label: str, dash: str = "solid", y_label: float = 1.0) -> tuple[dict, dict]:
    shape = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": LINE_COLOUR, "width": 1.5, "dash": dash},
    }
    note = {
        "x": x,
        "xref": "x",
        "y": y_label,
        "yref": "paper",
        "text": label,
        "showarrow": False,
        "yanchor": "bottom",
        "font": {"size": 11},
    }
    return shape, note


def tornado(bars: Sequence[TornadoBar], base_saving: Decimal, period: engine.Period) -> dict:
    """Horizontal bars centred on the model's saving, widest on top: each input at its low and high end."""
    labels = [plain(bar.label) for bar in bars]

    def trace(name: str, ends: list[Decimal], value_labels: list[str], colour: str, pattern: str) -> dict:
        return {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": labels,
            "x": [_n(end - base_saving) for end in ends],
            "base": _n(base_saving),
            "customdata": [[plain(text), _money(end)] for text, end in zip(value_labels, ends, strict=True)],
            "marker": {"color": colour, "pattern": {"shape": pattern}, "line": {"color": LINE_COLOUR, "width": 0.5}},
            "hovertemplate": "%{y}<br>%{customdata[0]}: saving %{customdata[1]}<extra></extra>",
        }

    shape, note = _vertical_line(_n(base_saving), f"Saving as modelled: {_money(base_saving)}")
    return {
        "data": [
            trace(
                "Input at its low end",
                [bar.saving_low for bar in bars],
                [bar.low_value_label for bar in bars],
                LOW_COLOUR,
                "",
            ),
            trace(
                "Input at its high end",
                [bar.saving_high for bar in bars],
                [bar.high_value_label for bar in bars],
                HIGH_COLOUR,
                "/",
            ),
        ],
        "layout": _layout(
            f"What moves the saving ({period.value}) most",
            barmode="overlay",
            height=max(320, 110 + 30 * len(bars)),
            xaxis={"title": {"text": f"Saving ({period.value})"}, "tickprefix": "£", "zeroline": False},
            yaxis={"autorange": "reversed"},
            legend={"orientation": "h", "x": 1, "y": 1.06, "yanchor": "bottom", "xanchor": "right"},
            margin={"l": 20, "r": 20, "t": 100, "b": 50},
            shapes=[shape],
            annotations=[note],
        ),
    }


def saving_histogram(bins: Sequence, *, p5: Decimal, median: Decimal, p95: Decimal, draws: int, period) -> dict:
    """Bars of how many draws gave each saving, with lines at the 5th, 50th and 95th percentiles."""
    shapes, notes = [], []
    for x, label, dash, y in (
        (p5, "5th percentile", "dot", 1.0),
        (median, "median", "solid", 1.07),
        (p95, "95th percentile", "dot", 1.0),
    ):
        shape, note = _vertical_line(_n(x), f"{label}: {_money(x)}", dash, y)
        shapes.append(shape)
        notes.append(note)
    return {
        "data": [
            {
                "type": "bar",
                "name": "Draws",
                "x": [_n((b.low + b.high) / 2) for b in bins],
                "y": [b.draws for b in bins],
                "width": [_n(b.high - b.low) for b in bins],
                "customdata": [[_money(b.low), _money(b.high)] for b in bins],
                "marker": {"color": HISTOGRAM_COLOUR, "line": {"color": LINE_COLOUR, "width": 0.5}},
                "hovertemplate": "%{customdata[0]} to %{customdata[1]}: %{y} draws<extra></extra>",
            }
        ],
        "layout": _layout(
            f"The saving ({period.value}) over {draws:,} draws",
            showlegend=False,
            bargap=0,
            margin={"l": 20, "r": 20, "t": 80, "b": 60},
            xaxis={"title": {"text": f"Saving ({period.value})"}, "tickprefix": "£"},
            yaxis={"title": {"text": "draws"}},
            shapes=shapes,
            annotations=notes,
        ),
    }


def capacity_freed(freed: CapacityFreed) -> dict:
    """Horizontal bars: staff hours freed by role (below zero: more of that role's time after)."""
    rows = freed.roles
    # Room beyond the longest bars for their labels, which sit outside the bars.
    hours = [_n(row.hours_freed) for row in rows]
    low, high = min([0.0, *hours]), max([0.0, *hours])
    room = (high - low) * 0.35 or 1.0
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Hours freed",
                "y": [plain(row.name) for row in rows],
                "x": [_n(row.hours_freed) for row in rows],
                "customdata": [
                    [f"{row.appointments_freed:,}", f"{engine.normalise_minutes(row.appointment_minutes)}"]
                    for row in rows
                ],
                "marker": {
                    "color": [FREED_COLOUR if row.minutes_freed >= 0 else MORE_COLOUR for row in rows],
                    "pattern": {"shape": ["" if row.minutes_freed >= 0 else "x" for row in rows]},
                },
                "text": [f"{row.hours_freed:,} h" for row in rows],
                # Beside the bar, in dark text: inside, white on the hatched red was illegible.
                "textposition": "outside",
                "textfont": {"color": LINE_COLOUR},
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:,.2f} hours, %{customdata[0]} appointments of %{customdata[1]} min"
                "<extra></extra>",
            }
        ],
        "layout": _layout(
            f"Staff hours freed by role ({freed.period.value})",
            showlegend=False,
            height=max(300, 110 + 34 * len(rows)),
            xaxis={
                "title": {"text": "hours freed (below zero: more of that role's time after)"},
                "range": [low - room if low < 0 else 0, high + room if high > 0 else 0],
                "zeroline": True,
                "zerolinecolor": LINE_COLOUR,
            },
            yaxis={"autorange": "reversed"},
        ),
    }
