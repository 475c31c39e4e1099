"""The PDF's charts: vector SVG whose words are text, figures rounded as the tables round them, alt text of them."""

import re

from costing import engine
from reports import pdf_charts


def _texts(svg: bytes) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", svg.decode(), re.S)]


def test_staff_hours_chart_labels_bars_and_ticks_as_the_table_rounds_them(example_b):
    chart = pdf_charts.staff_hours(engine.compare(example_b))

    texts = _texts(chart.svg)
    # Administrator: 21 minutes before, 8 after: 0.35 hours shows as 0.4 (half up), as in the staff table.
    assert "0.4" in texts and "0.1" in texts
    assert "Administrator: 0.4 hours before, 0.1 hours after" in chart.alt
    assert "Practice nurse: 1.0 hours before, 0.5 hours after" in chart.alt


def test_charts_are_vector_svg_with_words_as_text(example_cd):
    charts = pdf_charts.all_charts(engine.compare(example_cd))

    for name, chart in charts.items():
        assert chart.svg.lstrip().startswith(b"<?xml") and b"<svg" in chart.svg, name
        assert b"<image" not in chart.svg, name
        assert _texts(chart.svg), name
    assert "Recall and invitation: £419.04 before, £293.76 after" in charts["steps"].alt
    assert "Care and support planning conversation" in " ".join(_texts(charts["steps"].svg)).replace("\n", " ")


def test_long_labels_are_wrapped_on_the_lines_a_row_has_and_cut_short_past_them():
    assert pdf_charts._wrap("Care and support planning conversation: minutes", 34) == (
        "Care and support planning\nconversation: minutes"
    )
    assert "…" not in pdf_charts._wrap("x" * 80, 30)
    long = " ".join(["Advanced nurse practitioner"] * 7)  # 195 characters
    assert pdf_charts._wrap(long, 30).count("\n") == 2 and pdf_charts._wrap(long, 30).endswith("…")
    assert pdf_charts._wrap(long, 30, lines=None).replace("\n", " ") == long


def test_role_charts_of_the_longest_names_keep_each_label_beside_its_bars(example_b):
    """Role names of 200 characters took seven lines each beside rows of room for three, and ran into
    one another; the text alternative still names each role whole."""
    from dataclasses import replace

    long = " ".join(["Advanced nurse practitioner"] * 7)
    roles = tuple(replace(r, name=f"{r.name} {long}") for r in example_b.roles)
    comparison = engine.compare(replace(example_b, roles=roles))

    chart = pdf_charts.staff_hours(comparison)

    # Each line of a label is a text of its own: three lines a role at most, the last cut short.
    lines = [t for t in _texts(chart.svg) if any(w in t for w in ("Advanced", "nurse", "practitioner", "…"))]
    assert len(roles) < len(lines) <= 3 * len(roles)
    assert sum(t.endswith("…") for t in lines) == len(roles)
    assert all(f"{r.name}: " in chart.alt for r in roles)


def test_tick_labels_have_the_decimals_their_step_needs():
    def labels(step, values, money=False):
        return [pdf_charts._axis_formatter(step, money)(v, None) for v in values]

    assert labels(0.25, [0, 0.25, 0.5, 0.75]) == ["0.00", "0.25", "0.50", "0.75"]
    assert labels(0.2, [0, 0.2, 0.4]) == ["0.0", "0.2", "0.4"]
    assert labels(500, [0, 500, 1500], money=True) == ["£0", "£500", "£1,500"]
    assert labels(2.5, [-5, 0, 2.5]) == ["−5.0", "0.0", "2.5"]


def test_cohort_chart_of_long_names_keeps_as_many_whole_labels_as_a_page_holds(example_b):
    """Names of 200 characters take five lines each: 80 of them overlapped one another (issue 19)."""
    from dataclasses import replace

    cohort = example_b.before[0]
    words = " ".join(["chronic kidney disease"] * 9)  # 206 characters, as long as a name may be
    many = tuple(replace(cohort, label=f"Cohort {n} {words}", patients=n % 50 + 1) for n in range(250))
    comparison = engine.compare(replace(example_b, before=many, after=many))

    chart = pdf_charts.cost_per_review(comparison)

    texts = _texts(chart.svg)  # a text a line
    title = [t for t in texts if "costliest" in t or t == "(all are in the tables)"]
    lines = [t for t in texts if not t.startswith("£") and t not in title]  # the labels' lines, not figures
    starts = [re.match(r"(Before|After): (Cohort \d+) ", t) for t in lines]
    kept = [m.group(2) for m in starts if m]
    assert 0 < len(lines) <= pdf_charts.MAX_COHORT_LINES and len(kept) < pdf_charts.MAX_COHORT_LINES
    assert title == [f"Cost per review: the {len(kept)} costliest of 500 cohorts", "(all are in the tables)"]
    shown = " ".join(lines)
    assert all(f"{name} {words}" in shown for name in kept)  # each label whole, never cut short
