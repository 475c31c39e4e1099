"""Charts for the PDF report: grey-scale images drawn with Pillow at print resolution.

WeasyPrint runs no JavaScript, so the report cannot use plotly.js; and it lays
out each letter of an SVG text on its own, so labelled vector charts took most of
a report's time. These are drawn in one pass as 200 dpi PNG images instead. They
read in black and white: before and after differ by shade and hatching as well as
by place, and every bar carries its figure (the same figures are in the tables).
"""

from __future__ import annotations

import io
import math
import textwrap
from decimal import Decimal
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from costing import engine

DPI = 200
WIDTH = 6.5  # inches: the report's text width
PX = DPI / 72  # pixels a point
BLACK, DARK, MID, LIGHT, WHITE = 0, 90, 156, 205, 255
BEFORE = (DARK, "")  # shade and hatch
AFTER = (WHITE, "///")
STEP_STYLES = [
    (40, ""),
    (90, "..."),
    (140, "///"),
    (196, "xx"),
    (225, "\\\\\\"),
    (240, "++"),
    (156, "--"),
    (215, "oo"),
    (WHITE, "||"),
]


def _px(points: float) -> int:
    return round(points * PX)


@cache
def _font(points: float, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (the report's font, Debian's fonts-dejavu-core), else Pillow's own."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for candidate in (name, f"/usr/share/fonts/truetype/dejavu/{name}"):
        try:
            return ImageFont.truetype(candidate, _px(points))
        except OSError:
            continue
    return ImageFont.load_default(_px(points))


def _hatch(kind: str, width: int, height: int) -> Image.Image:
    """A mask (255 where the hatch is drawn) of ``kind``, ``width`` by ``height``: tiles of _hatch_tile."""
    tile = _hatch_tile(kind)
    mask = Image.new("L", (width, height), 0)
    for y in range(0, height, tile.height):
        for x in range(0, width, tile.width):
            mask.paste(tile, (x, y))
    return mask


@cache
def _hatch_tile(kind: str) -> Image.Image:
    """A square of ``kind`` hatching that tiles without a seam (its side is a multiple of the spacing)."""
    step = _px(4)
    width = height = step * 8
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    line = max(1, _px(0.5))
    if kind in ("///", "xx"):
        for k in range(-height, width, step):
            draw.line([(k, height), (k + height, 0)], fill=255, width=line)
    if kind in ("\\\\\\", "xx"):
        for k in range(0, width + height, step):
            draw.line([(k, height), (k - height, 0)], fill=255, width=line)
    if kind in ("--", "++"):
        for y in range(0, height, step):
            draw.line([(0, y), (width, y)], fill=255, width=line)
    if kind in ("||", "++"):
        for x in range(0, width, step):
            draw.line([(x, 0), (x, height)], fill=255, width=line)
    if kind in ("...", "oo"):
        radius = _px(0.6 if kind == "..." else 1.1)
        for y in range(step // 2, height, step):
            for x in range(step // 2, width, step):
                if kind == "...":
                    draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
                else:
                    draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=255, width=line)
    return mask


class Canvas:
    """A grey-scale drawing in inches wide and high; coordinates in pixels."""

    def __init__(self, height: float, width: float = WIDTH):
        self.width, self.height = round(width * DPI), round(height * DPI)
        self.image = Image.new("L", (self.width, self.height), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def text(self, xy, text: str, size: float = 7, anchor: str = "la", bold: bool = False) -> None:
        self.draw.text(xy, text, font=_font(size, bold), fill=BLACK, anchor=anchor)

    def lines(self, xy, text: str, size: float, width_chars: int, anchor: str = "ma") -> None:
        """Text wrapped to ``width_chars``, each line anchored at ``xy`` and below the last."""
        x, y = xy
        for line in textwrap.wrap(text, width_chars)[:3]:
            self.text((x, y), line, size, anchor)
            y += _px(size * 1.2)

    def fit(self, text: str, width: float, size: float) -> str:
        """``text``, cut short with an ellipsis to fit ``width`` pixels."""
        font = _font(size)
        if self.draw.textlength(text, font=font) <= width:
            return text
        while text and self.draw.textlength(text + "…", font=font) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def bar(self, x0: float, y0: float, x1: float, y1: float, style: tuple[int, str]) -> None:
        """A bar from corner to corner, filled with a shade and hatch, outlined in black."""
        left, right = sorted((round(x0), round(x1)))
        top, bottom = sorted((round(y0), round(y1)))
        if right - left < 1 or bottom - top < 1:
            right, bottom = max(right, left + 1), max(bottom, top + 1)
        shade, hatch = style
        self.draw.rectangle([left, top, right, bottom], fill=shade)
        if hatch:
            box = (left, top, right, bottom)
            self.image.paste(BLACK, box, _hatch(hatch, right - left, bottom - top))
        self.draw.rectangle([left, top, right, bottom], outline=BLACK, width=max(1, _px(0.6)))

    def line(self, xy, width: float = 0.8, dotted: bool = False) -> None:
        (x0, y0), (x1, y1) = xy
        if not dotted:
            self.draw.line(xy, fill=BLACK, width=max(1, _px(width)))
            return
        length = math.hypot(x1 - x0, y1 - y0) or 1
        dash = _px(2)
        for start in range(0, round(length), 2 * dash):
            end = min(start + dash, length)
            self.draw.line(
                [
                    (x0 + (x1 - x0) * start / length, y0 + (y1 - y0) * start / length),
                    (x0 + (x1 - x0) * end / length, y0 + (y1 - y0) * end / length),
                ],
                fill=BLACK,
                width=max(1, _px(width)),
            )

    def legend(self, x: float, y: float, entries: list[tuple[str, tuple[int, str]]], size: float = 6.5) -> None:
        box = _px(8)
        for label, style in entries:
            self.bar(x, y, x + box, y + box, style)
            self.text((x + box + _px(3), y + box / 2), label, size, "lm")
            y += box + _px(3)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, "PNG", dpi=(DPI, DPI))
        return buffer.getvalue()


def _money(value: float) -> str:
    return f"{'−' if value < 0 else ''}£{abs(value):,.2f}"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round values from at most ``low`` to at least ``high`` (0 included)."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


class _Vertical:
    """A plot area with a value axis up the left: ``y(value)`` in pixels."""

    def __init__(self, canvas: Canvas, top: float, bottom: float, left: float, right: float, low: float, high: float):
        self.canvas, self.top, self.bottom, self.left, self.right = canvas, top, bottom, left, right
        self.ticks = _nice_ticks(low, high)
        self.low, self.high = self.ticks[0], self.ticks[-1]

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) / ((self.high - self.low) or 1) * (self.bottom - self.top)

    def axis(self, fmt, label: str = "") -> None:
        c = self.canvas
        for tick in self.ticks:
            y = self.y(tick)
            c.draw.line([(self.left, y), (self.right, y)], fill=LIGHT, width=1)
            c.text((self.left - _px(3), y), fmt(tick), 6.5, "rm")
        c.line([(self.left, self.top), (self.left, self.bottom)], 0.6)
        c.line([(self.left, self.y(0)), (self.right, self.y(0))], 0.8)
        if label:
            c.text((_px(2), self.top - _px(9)), label, 6.5, "la")


def _title(canvas: Canvas, title: str) -> None:
    canvas.text((canvas.width / 2, _px(3)), title, 8.5, "ma", bold=True)


# ----------------------------------------------------------------------- comparison


def cost_by_step(c: engine.Comparison) -> bytes:
    """Stacked bars before and after, one shaded and hatched segment a step, each total on top."""
    canvas = Canvas(3.0)
    _title(canvas, "Cost by step")
    steps = [
        (step, style)
        for step, style in zip(engine.Step, STEP_STYLES, strict=True)
        if c.before.cost_by_step[step] or c.after.cost_by_step[step]
    ]
    plot_right = canvas.width * 0.58
    area = _Vertical(
        canvas,
        _px(30),
        canvas.height - _px(22),
        _px(48),
        plot_right,
        0.0,
        float(max(c.before.cost, c.after.cost)) * 1.12,
    )
    area.axis(lambda v: f"£{v:,.0f}", "£")
    slot = (plot_right - area.left) / 2
    for i, (label, side) in enumerate((("Before", c.before), ("After", c.after))):
        x0 = area.left + slot * i + slot * 0.22
        x1 = area.left + slot * (i + 1) - slot * 0.22
        running = 0.0
        for step, style in steps:
            value = float(side.cost_by_step[step])
            if value:
                canvas.bar(x0, area.y(running), x1, area.y(running + value), style)
                running += value
        canvas.text(((x0 + x1) / 2, area.y(running) - _px(2)), _money(float(side.cost)), 7, "md")
        canvas.text(((x0 + x1) / 2, area.bottom + _px(4)), label, 7, "ma")
    canvas.legend(plot_right + _px(14), _px(28), [(step.label, style) for step, style in steps])
    return canvas.png()


def savings_waterfall(c: engine.Comparison) -> bytes:
    """From the cost before to the cost after: a bar for each step that changes (hatched: a saving)."""
    bars = [("Before", 0.0, float(c.before.cost), "total")]
    running = float(c.before.cost)
    for step in engine.Step:
        change = float(c.after.cost_by_step[step] - c.before.cost_by_step[step])
        if change:
            bars.append((step.label, running, running + change, "up" if change > 0 else "down"))
            running += change
    bars.append(("After", 0.0, float(c.after.cost), "total"))
    styles = {"total": (DARK, ""), "down": (WHITE, "///"), "up": (MID, "xx")}
    canvas = Canvas(3.2)
    _title(canvas, "From before to after (hatched: saving; cross-hatched: extra cost)")
    top = max(max(a, b) for _l, a, b, _k in bars)
    area = _Vertical(canvas, _px(30), canvas.height - _px(52), _px(48), canvas.width - _px(8), 0.0, top * 1.12)
    area.axis(lambda v: f"£{v:,.0f}", "£")
    slot = (area.right - area.left) / len(bars)
    chars = max(8, int(slot / _px(3.6)))
    for i, (label, start, end, kind) in enumerate(bars):
        x0, x1 = area.left + slot * (i + 0.18), area.left + slot * (i + 0.82)
        canvas.bar(x0, area.y(start), x1, area.y(end), styles[kind])
        sign = {"total": "", "up": "+", "down": "−"}[kind]
        canvas.text(((x0 + x1) / 2, area.y(max(start, end)) - _px(2)), f"{sign}£{abs(end - start):,.2f}", 6, "md")
        canvas.lines(((x0 + x1) / 2, area.bottom + _px(4)), label, 6, chars)
    return canvas.png()


def staff_hours(c: engine.Comparison) -> bytes:
    """Grouped bars: each role's hours before (dark) and after (white, hatched), each labelled."""
    canvas = Canvas(2.8)
    _title(canvas, "Staff hours by role")
    before = [float(c.before.staff_minutes[r.key]) / 60 for r in c.roles]
    after = [float(c.after.staff_minutes[r.key]) / 60 for r in c.roles]
    area = _Vertical(
        canvas,
        _px(30),
        canvas.height - _px(40),
        _px(48),
        canvas.width - _px(70),
        0.0,
        max(before + after + [1.0]) * 1.12,
    )
    area.axis(lambda v: f"{v:,.0f}", "hours")
    slot = (area.right - area.left) / max(1, len(c.roles))
    chars = max(8, int(slot / _px(3.6)))
    for i, role in enumerate(c.roles):
        middle = area.left + slot * (i + 0.5)
        width = slot * 0.34
        for value, style, x0 in ((before[i], BEFORE, middle - width), (after[i], AFTER, middle)):
            canvas.bar(x0, area.y(0), x0 + width, area.y(value), style)
            canvas.text((x0 + width / 2, area.y(value) - _px(2)), f"{value:,.1f}", 5.5, "md")
        canvas.lines((middle, area.bottom + _px(4)), role.name, 6, chars)
    canvas.legend(area.right + _px(10), _px(30), [("Before", BEFORE), ("After", AFTER)])
    return canvas.png()


# The most cohort rows one chart page holds with labels of at least 5 points.
MAX_COHORT_ROWS = 80


def cost_per_patient(c: engine.Comparison) -> bytes:
    """A horizontal bar a cohort, before (dark) then after (white, hatched), each with its figure."""
    rows = [(f"Before: {co.label}", float(co.cost_per_patient), BEFORE) for co in c.before.cohorts]
    rows += [(f"After: {co.label}", float(co.cost_per_patient), AFTER) for co in c.after.cohorts]
    title = "Cost per review by cohort"
    if len(rows) > MAX_COHORT_ROWS:
        # A row a cohort stays readable on one page only so far: the costliest, in their order.
        kept = set(sorted(range(len(rows)), key=lambda i: -rows[i][1])[:MAX_COHORT_ROWS])
        title = f"Cost per review: the {MAX_COHORT_ROWS} costliest of {len(rows)} cohorts (all are in the tables)"
        rows = [row for i, row in enumerate(rows) if i in kept]
    height = min(9.0, max(1.6, 0.17 * len(rows) + 0.7))
    canvas = Canvas(height)
    _title(canvas, title)
    top, bottom = _px(26), canvas.height - _px(8)
    row = (bottom - top) / max(1, len(rows))
    size = min(6.5, row / PX * 0.8)
    label_width = canvas.width * 0.42
    left, right = label_width + _px(6), canvas.width - _px(52)
    high = max([value for _l, value, _s in rows] + [1.0])
    for i, (label, value, style) in enumerate(rows):
        y0 = top + row * i + row * 0.15
        y1 = top + row * (i + 1) - row * 0.15
        canvas.text((label_width, (y0 + y1) / 2), canvas.fit(label, label_width - _px(4), size), size, "rm")
        x1 = left + (right - left) * value / high
        canvas.bar(left, y0, x1, y1, style)
        canvas.text((x1 + _px(3), (y0 + y1) / 2), _money(value), size, "lm")
    canvas.line([(left, top), (left, bottom)], 0.6)
    return canvas.png()


def all_charts(c: engine.Comparison) -> dict[str, bytes]:
    return {
        "steps": cost_by_step(c),
        "waterfall": savings_waterfall(c),
        "staff": staff_hours(c),
        "cohorts": cost_per_patient(c),
    }


# ------------------------------------------------------------------ decision support


class _Horizontal:
    """A plot area with a value axis along the bottom: ``x(value)`` in pixels."""

    def __init__(self, left: float, right: float, low: float, high: float):
        self.left, self.right, self.low, self.high = left, right, low, high

    def x(self, value: float) -> float:
        return self.left + (value - self.low) / ((self.high - self.low) or 1) * (self.right - self.left)


def tornado(bars, base_saving: Decimal) -> bytes:
    """One-way sensitivity: the saving with each input at its low end (grey) and high end
    (white, hatched), around the modelled saving (the vertical line), widest on top."""
    base = float(base_saving)
    low_style, high_style = (MID, ""), (WHITE, "///")
    canvas = Canvas(max(1.6, 0.3 * len(bars) + 1.0))
    _title(canvas, "What moves the saving most")
    ends = [base] + [float(v) for bar in bars for v in (bar.saving_low, bar.saving_high)]
    span = (max(ends) - min(ends)) or abs(base) or 1.0
    label_width = canvas.width * 0.34
    area = _Horizontal(label_width + _px(8), canvas.width - _px(8), min(ends) - 0.22 * span, max(ends) + 0.22 * span)
    top, bottom = _px(24), canvas.height - _px(34)
    row = (bottom - top) / max(1, len(bars))
    for i, bar in enumerate(bars):
        y0, y1 = top + row * (i + 0.18), top + row * (i + 0.82)
        canvas.text((label_width, (y0 + y1) / 2), canvas.fit(bar.label, label_width - _px(4), 6.5), 6.5, "rm")
        for value, style in ((float(bar.saving_low), low_style), (float(bar.saving_high), high_style)):
            canvas.bar(area.x(base), y0, area.x(value), y1, style)
            right = value >= base
            x = area.x(value) + (_px(2) if right else -_px(2))
            canvas.text((x, (y0 + y1) / 2), _money(value), 6, "lm" if right else "rm")
    canvas.line([(area.x(base), top - _px(2)), (area.x(base), bottom)], 1.0)
    canvas.text((area.x(base), bottom + _px(4)), f"Saving as modelled: {_money(base)} (the vertical line)", 6.5, "ma")
    canvas.legend(_px(4), canvas.height - _px(30), [("input at its low end", low_style)], 6)
    canvas.legend(_px(4), canvas.height - _px(16), [("input at its high end", high_style)], 6)
    return canvas.png()


def saving_histogram(bins, *, p5: Decimal, median: Decimal, p95: Decimal) -> bytes:
    """How many draws gave each saving; dotted lines at the 5th and 95th percentiles, solid at the median."""
    canvas = Canvas(2.4)
    _title(canvas, "The saving over the draws")
    low, high = float(bins[0].low), float(bins[-1].high)
    top_draws = max(b.draws for b in bins)
    area = _Vertical(canvas, _px(36), canvas.height - _px(26), _px(40), canvas.width - _px(10), 0, top_draws * 1.1)
    area.axis(lambda v: f"{v:,.0f}", "draws")
    across = _Horizontal(area.left + _px(4), area.right - _px(4), low, high)
    for b in bins:
        canvas.bar(across.x(float(b.low)), area.y(0), across.x(float(b.high)), area.y(b.draws), (LIGHT, ""))
    for value, dotted, name, anchor in (
        (p5, True, "5th", "rd"),
        (median, False, "median", "md"),
        (p95, True, "95th", "ld"),
    ):
        x = across.x(float(value))
        canvas.line([(x, area.top - _px(4)), (x, area.bottom)], 1.0, dotted=dotted)
        y = area.top - _px(6) if name == "median" else area.top - _px(14)
        canvas.text((x, y), f"{name}: {_money(float(value))}", 6, anchor)
    for tick in _nice_ticks(low, high, 6):
        if low <= tick <= high:
            canvas.text((across.x(tick), area.bottom + _px(3)), _money(tick)[:-3], 6, "ma")
    return canvas.png()


def capacity_freed(freed) -> bytes:
    """Staff hours freed by role: grey bars freed, white cross-hatched bars more time after; each labelled."""
    rows = freed.roles
    canvas = Canvas(max(1.4, 0.3 * len(rows) + 0.9))
    _title(canvas, "Staff hours freed by role")
    values = [float(row.hours_freed) for row in rows]
    span = (max(values + [0.0]) - min(values + [0.0])) or 1.0
    label_width = canvas.width * 0.28
    area = _Horizontal(
        label_width + _px(8), canvas.width - _px(8), min(values + [0.0]) - 0.5 * span, max(values + [0.0]) + 0.5 * span
    )
    top, bottom = _px(24), canvas.height - _px(20)
    row_height = (bottom - top) / max(1, len(rows))
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        y0, y1 = top + row_height * (i + 0.18), top + row_height * (i + 0.82)
        canvas.text((label_width, (y0 + y1) / 2), canvas.fit(row.name, label_width - _px(4), 6.5), 6.5, "rm")
        style = (MID, "") if value >= 0 else (WHITE, "xx")
        canvas.bar(area.x(0), y0, area.x(value), y1, style)
        right = value >= 0
        x = area.x(value) + (_px(2) if right else -_px(2))
        canvas.text(
            (x, (y0 + y1) / 2), f"{value:,.2f} h ({row.appointments_freed:,} appts)", 6, "lm" if right else "rm"
        )
    canvas.line([(area.x(0), top - _px(2)), (area.x(0), bottom)], 0.8)
    canvas.text((area.x(0), bottom + _px(3)), "hours freed (below zero: more of that role's time after)", 6, "ma")
    return canvas.png()
