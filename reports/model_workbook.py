"""A cost model as a live workbook: its inputs as cells, every figure a formula that follows them.

A practice manager opens it in Excel or LibreOffice, changes a minute, a salary
or a cohort's patients, and every total follows, to the penny of the product's
own costing (costing/engine.py; rules in docs/model-format.md):

- A stage's cost is ``ROUND(minutes x rate / 60 + extra cost + NUDGE, 2)``: rule 1,
  half up. ROUND rounds halves away from zero, as the engine does, but a
  spreadsheet holds about 15 significant figures, so a cost exactly on a half
  penny (5 minutes at £12.30 an hour is £1.025) may be held as £1.02499999…
  and go down. NUDGE, a billionth of a pound, puts it back above the half. A
  cost that is not on a half penny is never that close to one: with an hourly
  cost (4 decimal places) and minutes (2), a stage cost's distance from a half
  penny is a whole multiple of 1/60,000,000 of a pound, seventeen times NUDGE.
  (A rate from a salary has no such floor; a stage would have to lie within a
  billionth of a pound below a half penny, which tests on random salaries have
  not met.)
- The saving percent is computed in whole pennies, exactly (rule 4).
- Exceptions (rule 7): a stage is incurred by a cohort's exceptions when a triage
  stage of its pathway comes at or after it, or the pathway has none.
- People (rule 6): each group's people count once a side, however many of its
  cohorts name the group.

The totals the product shows are the engine's; the workbook is tested against
them in a real spreadsheet program (tests/integration/test_workbook_recalculation.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from costing import engine
from reports.sheet_format import (
    COUNT_FORMAT,
    HOURS_FORMAT,
    MINUTES_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    RATE_FORMAT,
    safe_text,
    set_up_printing,
)

# A billionth of a pound: puts a cost held just below a half penny back above it (module docstring).
NUDGE = "1E-9"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: a cell to change; prints as light grey
BOLD = Font(bold=True)
LAST_ROW = 5000  # formulas read whole blocks to this row, so rows added below the model's own are counted


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None
    is_input: bool = False
    # Its cells are formulas written here (or numbers); text in any other column is the model's and is
    # written as text, never run (safe_text), whatever it starts with.
    formula: bool = False


def _block(sheet: str, column: str) -> str:
    """An absolute range of one column of ``sheet`` from row 2 to LAST_ROW."""
    return f"{sheet}!${column}$2:${column}${LAST_ROW}"


class _Sheet:
    """A sheet with a bold header row and columns named by their header."""

    def __init__(self, wb: Workbook, title: str, columns: list[Column]):
        self.ws: Worksheet = wb.create_sheet(title)
        self.title = title
        self.columns = columns
        self.letter = {c.header: get_column_letter(i) for i, c in enumerate(columns, start=1)}
        self.ws.append([c.header for c in columns])
        for cell in self.ws[1]:
            cell.font = BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = column.width
        self.ws.freeze_panes = "A2"

    def block(self, header: str) -> str:
        return _block(f"'{self.title}'", self.letter[header])

    def cell(self, header: str, row: int) -> str:
        return f"{self.letter[header]}{row}"

    def append(self, values: dict) -> int:
        """A row from {header: value}; formats and input shading from the columns. Returns its number."""
        row = self.ws.max_row + 1
        for i, column in enumerate(self.columns, start=1):
            value = values.get(column.header)
            if isinstance(value, str) and not column.formula:
                value = safe_text(value)
            cell = self.ws.cell(row=row, column=i, value=value)
            if column.number_format:
                cell.number_format = column.number_format
            if column.is_input:
                cell.fill = INPUT_FILL
        return row


# ------------------------------------------------------------------------ sheets

ROLE_COLUMNS = [
    Column("Key", 14),
    Column("Role", 28),
    Column("Band", 12),
    Column("Basis", 22),
    Column("Cost per hour (£)", 12, RATE_FORMAT, True),
    Column("Annual salary (£)", 13, MONEY_FORMAT, True),
    Column("On-costs (%)", 10, "0.0##", True),
    Column("Paid hours a year", 11, "#,##0.##", True),
    Column("Rate per hour (£)", 12, MONEY_FORMAT, formula=True),
]
STAGE_COLUMNS = [
    Column("Pathway", 16),
    Column("Pathway name", 26),
    Column("Stage", 36),
    Column("Step", 18),
    Column("Role", 14, None, True),
    Column("Minutes", 9, MINUTES_FORMAT, True),
    Column("Extra cost (£)", 10, "£#,##0.00##", True),
    Column("Visit", 7, None, True),
    Column("Rate per hour (£)", 11, MONEY_FORMAT, formula=True),
    Column("Staff cost (£)", 10, MONEY_FORMAT, formula=True),
    Column("Cost (£)", 10, MONEY_FORMAT, formula=True),
    Column("Exceptions incur it", 11, COUNT_FORMAT, formula=True),
    Column("First of its visit", 9, COUNT_FORMAT, formula=True),
    Column("Passes before", 10, COUNT_FORMAT, formula=True),
    Column("Passes after", 10, COUNT_FORMAT, formula=True),
]
PATHWAY_COLUMNS = [
    Column("Pathway", 16),
    Column("Pathway name", 30),
    Column("Cost per review (£)", 12, MONEY_FORMAT, formula=True),
    Column("Visits", 8, COUNT_FORMAT, formula=True),
    Column("Contact minutes", 10, MINUTES_FORMAT, formula=True),
    Column("Cost of an exception (£)", 12, MONEY_FORMAT, formula=True),
    Column("Visits of an exception", 10, COUNT_FORMAT, formula=True),
    Column("Contact minutes of an exception", 12, MINUTES_FORMAT, formula=True),
]
GROUP_COLUMNS = [
    Column("Group", 16),
    Column("Label", 30),
    Column("People", 10, COUNT_FORMAT, True),
    Column("Conditions", 20),
]
COHORT_COLUMNS = [
    Column("Side", 8),
    Column("Label", 30),
    Column("Conditions", 14),
    Column("Group", 14),
    Column("Patients", 10, COUNT_FORMAT, True, formula=True),
    Column("Exceptions", 10, COUNT_FORMAT, True),
    Column("Times", 7, COUNT_FORMAT, True),
    Column("Pathway", 16),
    Column("Reviews", 9, COUNT_FORMAT, formula=True),
    Column("Cost per review (£)", 11, MONEY_FORMAT, formula=True),
    Column("Cost per person (£)", 11, MONEY_FORMAT, formula=True),
    Column("Cost (£)", 12, MONEY_FORMAT, formula=True),
    Column("Visits", 9, COUNT_FORMAT, formula=True),
    Column("Contact minutes", 10, MINUTES_FORMAT, formula=True),
    Column("People counted", 9, COUNT_FORMAT, formula=True),
]


def _roles(wb: Workbook, model: engine.CostModel) -> _Sheet:
    sheet = _Sheet(wb, "Roles", ROLE_COLUMNS)
    for role in model.roles:
        row = sheet.ws.max_row + 1
        cph, salary, on_costs, hours = (sheet.cell(column.header, row) for column in ROLE_COLUMNS[4:8])
        sheet.append(
            {
                "Key": role.key,
                "Role": role.name,
                "Band": role.band,
                "Basis": role.cost_basis.label if role.cost_basis else "not stated",
                "Cost per hour (£)": role.cost_per_hour,
                "Annual salary (£)": role.annual_salary,
                "On-costs (%)": role.on_cost_percent,
                "Paid hours a year": role.paid_hours_per_year,
                # Never rounded (rule 1): the cell shows pennies, the stages use every figure.
                "Rate per hour (£)": f'=IF({cph}<>"",{cph},{salary}*(1+{on_costs}/100)/{hours})',
            }
        )
    return sheet


def _stages(wb: Workbook, model: engine.CostModel, roles: _Sheet) -> _Sheet:
    sheet = _Sheet(wb, "Stages", STAGE_COLUMNS)
    c = sheet.letter
    for pathway in model.pathways:
        for stage in pathway.stages:
            r = sheet.ws.max_row + 1
            minutes, rate, extra = f"{c['Minutes']}{r}", f"{c['Rate per hour (£)']}{r}", f"{c['Extra cost (£)']}{r}"
            staff = f'IF({c["Role"]}{r}="",0,{minutes}*{rate}/60)'
            key = f"{c['Pathway']}{r}"
            sheet.append(
                {
                    "Pathway": pathway.key,
                    "Pathway name": pathway.name,
                    "Stage": stage.name,
                    "Step": stage.step.value,
                    "Role": stage.role or "",
                    "Minutes": stage.minutes,
                    "Extra cost (£)": stage.extra_cost,
                    "Visit": stage.visit,
                    "Rate per hour (£)": (
                        f'=IF({c["Role"]}{r}="","",INDEX({roles.block("Rate per hour (£)")},'
                        f"MATCH({c['Role']}{r},{roles.block('Key')},0)))"
                    ),
                    "Staff cost (£)": f"=ROUND({staff}+{NUDGE},2)",
                    "Cost (£)": f"=ROUND({staff}+{extra}+{NUDGE},2)",
                    # Rule 7: up to and including the pathway's last triage stage, or every stage without one.
                    "Exceptions incur it": (
                        f'=IF(COUNTIFS({sheet.block("Pathway")},{key},{sheet.block("Step")},"triage")=0,1,'
                        f"IF(COUNTIFS({c['Pathway']}{r}:{c['Pathway']}${LAST_ROW},{key},"
                        f'{c["Step"]}{r}:{c["Step"]}${LAST_ROW},"triage")>0,1,0))'
                    ),
                    "First of its visit": (
                        f'=IF({c["Visit"]}{r}="",0,IF(COUNTIFS({c["Pathway"]}$2:{key},{key},'
                        f"{c['Visit']}$2:{c['Visit']}{r},{c['Visit']}{r})=1,1,0))"
                    ),
                }
            )
    return sheet


def _passes(sheet: _Sheet, cohorts: _Sheet) -> None:
    """Each stage's passes a side: its pathway's full passes, and its exceptions' where they incur it (rule 7)."""
    c = sheet.letter
    for r in range(2, sheet.ws.max_row + 1):
        for side in ("before", "after"):
            full = (
                f'SUMIFS({cohorts.block("Reviews")},{cohorts.block("Side")},"{side}",'
                f"{cohorts.block('Pathway')},{c['Pathway']}{r})"
            )
            screened = (
                f'SUMPRODUCT(({cohorts.block("Side")}="{side}")*({cohorts.block("Pathway")}={c["Pathway"]}{r}),'
                f"{cohorts.block('Exceptions')},{cohorts.block('Times')})"
            )
            column = "Passes before" if side == "before" else "Passes after"
            sheet.ws[f"{c[column]}{r}"] = f"={full}+{c['Exceptions incur it']}{r}*{screened}"


def _pathways(wb: Workbook, model: engine.CostModel, stages: _Sheet) -> _Sheet:
    sheet = _Sheet(wb, "Pathways", PATHWAY_COLUMNS)
    key_block = stages.block("Pathway")
    incurs = stages.block("Exceptions incur it")
    for pathway in model.pathways:
        r = sheet.ws.max_row + 1
        key = f"A{r}"
        contact = f'SUMIFS({stages.block("Minutes")},{key_block},{key},{stages.block("Visit")},"<>")'
        screened_contact = (
            f'SUMIFS({stages.block("Minutes")},{key_block},{key},{stages.block("Visit")},"<>",{incurs},1)'
        )
        sheet.append(
            {
                "Pathway": pathway.key,
                "Pathway name": pathway.name,
                "Cost per review (£)": f"=ROUND(SUMIFS({stages.block('Cost (£)')},{key_block},{key}),2)",
                "Visits": f"=SUMIFS({stages.block('First of its visit')},{key_block},{key})",
                "Contact minutes": f"=ROUND({contact},2)",
                "Cost of an exception (£)": (
                    f"=ROUND(SUMIFS({stages.block('Cost (£)')},{key_block},{key},{incurs},1),2)"
                ),
                "Visits of an exception": (
                    f"=SUMIFS({stages.block('First of its visit')},{key_block},{key},{incurs},1)"
                ),
                "Contact minutes of an exception": f"=ROUND({screened_contact},2)",
            }
        )
    return sheet


def _groups(wb: Workbook, model: engine.CostModel) -> _Sheet:
    sheet = _Sheet(wb, "Groups", GROUP_COLUMNS)
    for group in model.groups:
        sheet.append(
            {
                "Group": group.key,
                "Label": group.label,
                "People": group.people,
                "Conditions": ";".join(group.conditions),
            }
        )
    return sheet


def _cohorts(wb: Workbook, model: engine.CostModel, pathways: _Sheet, groups: _Sheet) -> _Sheet:
    sheet = _Sheet(wb, "Cohorts", COHORT_COLUMNS)
    c = sheet.letter
    for side, cohorts in (("before", model.before), ("after", model.after)):
        for cohort in cohorts:
            r = sheet.ws.max_row + 1

            def col(header: str, r: int = r) -> str:
                return f"{c[header]}{r}"

            def of_pathway(header: str, r: int = r) -> str:
                return f"INDEX({pathways.block(header)},MATCH({col('Pathway', r)},{pathways.block('Pathway')},0))"

            full = f"({col('Patients')}-{col('Exceptions')})*{col('Times')}"
            screened = f"{col('Exceptions')}*{col('Times')}"
            patients = cohort.patients
            if cohort.group is not None:  # the group's people (rule 6), changed on the Groups sheet
                patients = f"=INDEX({groups.block('People')},MATCH({col('Group')},{groups.block('Group')},0))"
            sheet.append(
                {
                    "Side": side,
                    "Label": cohort.label,
                    "Conditions": ";".join(cohort.conditions),
                    "Group": cohort.group or "",
                    "Patients": patients,
                    "Exceptions": cohort.exceptions,
                    "Times": cohort.times,
                    "Pathway": cohort.pathway,
                    "Reviews": f"={full}",
                    "Cost per review (£)": f"={of_pathway('Cost per review (£)')}",
                    "Cost per person (£)": f"=ROUND({col('Cost per review (£)')}*{col('Times')},2)",
                    "Cost (£)": (
                        f"=ROUND({col('Cost per review (£)')}*{full}"
                        f"+{of_pathway('Cost of an exception (£)')}*{screened},2)"
                    ),
                    "Visits": f"={of_pathway('Visits')}*{full}+{of_pathway('Visits of an exception')}*{screened}",
                    "Contact minutes": (
                        f"=ROUND({of_pathway('Contact minutes')}*{full}"
                        f"+{of_pathway('Contact minutes of an exception')}*{screened},2)"
                    ),
                    # Rule 6: a group's people once a side, at its first cohort; a cohort without a group, its own.
                    "People counted": (
                        f'=IF({col("Group")}="",{col("Patients")},IF(COUNTIFS({c["Side"]}$2:{col("Side")},'
                        f"{col('Side')},{c['Group']}$2:{col('Group')},{col('Group')})=1,{col('Patients')},0))"
                    ),
                }
            )
    return sheet


def _staff(wb: Workbook, model: engine.CostModel, stages: _Sheet, roles: _Sheet) -> _Sheet:
    per_year = model.period.periods_per_year
    columns = [
        Column("Role", 30),
        Column("Minutes before", 11, MINUTES_FORMAT, formula=True),
        Column("Minutes after", 11, MINUTES_FORMAT, formula=True),
        Column("Hours before", 10, HOURS_FORMAT, formula=True),
        Column("Hours after", 10, HOURS_FORMAT, formula=True),
        Column("Hours freed", 10, HOURS_FORMAT, formula=True),
    ]
    if per_year:
        columns += [Column("FTE before", 9, "0.00", formula=True), Column("FTE after", 9, "0.00", formula=True)]
    columns += [
        Column("Cost before (£)", 13, MONEY_FORMAT, formula=True),
        Column("Cost after (£)", 13, MONEY_FORMAT, formula=True),
    ]
    sheet = _Sheet(wb, "Staff", columns)
    c = sheet.letter
    role_block, minutes = stages.block("Role"), stages.block("Minutes")
    staff_cost, cost = stages.block("Staff cost (£)"), stages.block("Cost (£)")
    passes = {"before": stages.block("Passes before"), "after": stages.block("Passes after")}
    for index, role in enumerate(model.roles, start=2):  # a row a role, in the Roles sheet's order
        key = f"Roles!${roles.letter['Key']}${index}"
        row = {"Role": role.name}
        for side in ("before", "after"):
            mins = f"{c[f'Minutes {side}']}{{r}}"
            row[f"Minutes {side}"] = f"=ROUND(SUMPRODUCT(({role_block}={key})*{minutes},{passes[side]}),2)"
            # Hours as the pages show them: to a tenth, half up (rule 1's rounding).
            row[f"Hours {side}"] = f"=ROUND({mins}/60+1E-6,1)"
            if per_year:
                row[f"FTE {side}"] = f"=ROUND({mins}*{per_year}/60/(37.5*52)+{NUDGE},2)"
            row[f"Cost {side} (£)"] = f"=ROUND(SUMPRODUCT(({role_block}={key})*{staff_cost},{passes[side]}),2)"
        r = sheet.ws.max_row + 1
        freed = f"({c['Minutes before']}{r}-{c['Minutes after']}{r})/60"
        row["Hours freed"] = f"=ROUND({freed}+SIGN({freed})*1E-6,1)"
        sheet.append({k: v.replace("{r}", str(r)) if k != "Role" else v for k, v in row.items()})
    first, last = 2, sheet.ws.max_row
    extra = {
        side: f"=ROUND(SUMPRODUCT({cost},{passes[side]})-SUMPRODUCT({staff_cost},{passes[side]}),2)"
        for side in ("before", "after")
    }
    sheet.append(
        {"Role": "Postage and other extra costs", "Cost before (£)": extra["before"], "Cost after (£)": extra["after"]}
    )
    total = sheet.ws.max_row + 1
    totals = {"Role": "Total"}
    for header in ("Minutes before", "Minutes after", "Cost before (£)", "Cost after (£)"):
        end = total - 1 if header.startswith("Cost") else last
        totals[header] = f"=ROUND(SUM({c[header]}{first}:{c[header]}{end}),2)"
    for side in ("before", "after"):
        totals[f"Hours {side}"] = f"=ROUND({c[f'Minutes {side}']}{total}/60+1E-6,1)"
    freed = f"({c['Minutes before']}{total}-{c['Minutes after']}{total})/60"
    totals["Hours freed"] = f"=ROUND({freed}+SIGN({freed})*1E-6,1)"
    sheet.append(totals)
    for cell in sheet.ws[total]:
        cell.font = BOLD
    return sheet


def _steps(wb: Workbook, stages: _Sheet) -> _Sheet:
    sheet = _Sheet(
        wb,
        "Steps",
        [
            Column("Step", 36),
            Column("Cost before (£)", 13, MONEY_FORMAT, formula=True),
            Column("Cost after (£)", 13, MONEY_FORMAT, formula=True),
            Column("Change (£)", 13, MONEY_FORMAT, formula=True),
        ],
    )
    step_block, cost = stages.block("Step"), stages.block("Cost (£)")
    for step in engine.Step:
        r = sheet.ws.max_row + 1
        sheet.append(
            {
                "Step": step.label,
                **{
                    f"Cost {side} (£)": (
                        f'=ROUND(SUMPRODUCT(({step_block}="{step.value}")*{cost},{stages.block(f"Passes {side}")}),2)'
                    )
                    for side in ("before", "after")
                },
                "Change (£)": f"=C{r}-B{r}",
            }
        )
    r = sheet.ws.max_row + 1
    sheet.append(
        {
            "Step": "Total",
            "Cost before (£)": f"=ROUND(SUM(B2:B{r - 1}),2)",
            "Cost after (£)": f"=ROUND(SUM(C2:C{r - 1}),2)",
            "Change (£)": f"=C{r}-B{r}",
        }
    )
    for cell in sheet.ws[r]:
        cell.font = BOLD
    return sheet


SUMMARY_NOTE = (
    "Change the shaded cells on the Roles, Stages, Groups and Cohorts sheets (minutes, rates, salaries, patients, "
    "times): every figure follows. Stage costs are minutes × the hourly rate ÷ 60 plus extra costs, rounded to "
    "the penny, half up, as the product costs them."
)


def _summary(wb: Workbook, model: engine.CostModel, cohorts: _Sheet, staff: _Sheet, c: engine.Comparison) -> Worksheet:
    ws = wb.create_sheet("Summary", 0)
    ws.append(["Figure", "Value"])
    for cell in ws[1]:
        cell.font = BOLD
    side, staff_total = cohorts.block("Side"), staff.ws.max_row

    def of_side(header: str, name: str) -> str:
        return f'SUMIF({side},"{name}",{cohorts.block(header)})'

    rows: list[tuple[str, object, str | None]] = [
        ("Model", safe_text(model.name), None),
        ("Period", c.period.value, None),
        ("Cost before", f"=ROUND({of_side('Cost (£)', 'before')},2)", MONEY_FORMAT),
        ("Cost after", f"=ROUND({of_side('Cost (£)', 'after')},2)", MONEY_FORMAT),
        ("Saving", "=B4-B5", MONEY_FORMAT),
        # Rule 4 in whole pennies, exactly: tenths of a percent, half away from zero.
        (
            "Saving %",
            '=IF(B4=0,"",SIGN(ROUND(B6*100,0))*INT((2000*ABS(ROUND(B6*100,0))+ROUND(B4*100,0))'
            "/(2*ROUND(B4*100,0)))/1000)",
            PERCENT_FORMAT,
        ),
    ]
    per_year = c.period.periods_per_year
    if per_year and per_year != 1:
        rows += [
            ("Cost before a year", f"=B4*{per_year}", MONEY_FORMAT),
            ("Cost after a year", f"=B5*{per_year}", MONEY_FORMAT),
            ("Saving a year", f"=B6*{per_year}", MONEY_FORMAT),
        ]
    staff_columns = staff.letter
    rows += [
        ("People before", f"={of_side('People counted', 'before')}", COUNT_FORMAT),
        ("People after", f"={of_side('People counted', 'after')}", COUNT_FORMAT),
        ("Reviews before", f"={of_side('Reviews', 'before')}", COUNT_FORMAT),
        ("Reviews after", f"={of_side('Reviews', 'after')}", COUNT_FORMAT),
        ("Visits before", f"={of_side('Visits', 'before')}", COUNT_FORMAT),
        ("Visits after", f"={of_side('Visits', 'after')}", COUNT_FORMAT),
        ("Contact minutes before", f"=ROUND({of_side('Contact minutes', 'before')},2)", MINUTES_FORMAT),
        ("Contact minutes after", f"=ROUND({of_side('Contact minutes', 'after')},2)", MINUTES_FORMAT),
        ("Staff hours before", f"=Staff!{staff_columns['Hours before']}{staff_total}", HOURS_FORMAT),
        ("Staff hours after", f"=Staff!{staff_columns['Hours after']}{staff_total}", HOURS_FORMAT),
        ("Staff hours freed", f"=Staff!{staff_columns['Hours freed']}{staff_total}", HOURS_FORMAT),
    ]
    for label, value, number_format in rows:
        ws.append([label, value])
        if number_format:
            ws.cell(row=ws.max_row, column=2).number_format = number_format
    ws.append([])
    ws.append([SUMMARY_NOTE])
    ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
    ws.row_dimensions[ws.max_row].height = 60
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 58
    ws["B2"].alignment = Alignment(wrap_text=True)
    return ws


def workbook(model: engine.CostModel, comparison: engine.Comparison) -> bytes:
    """The model as a live XLSX workbook: inputs to change, every figure a formula (module docstring)."""
    wb = Workbook()
    wb.remove(wb.active)
    roles = _roles(wb, model)
    stages = _stages(wb, model, roles)
    pathways = _pathways(wb, model, stages)
    groups = _groups(wb, model)
    cohorts = _cohorts(wb, model, pathways, groups)
    _passes(stages, cohorts)
    staff = _staff(wb, model, stages, roles)
    steps = _steps(wb, stages)
    summary = _summary(wb, model, cohorts, staff, comparison)
    # The order a reader goes in: the answer, what it is made of, then the inputs.
    for position, ws in enumerate((summary, staff.ws, steps.ws, cohorts.ws, groups.ws, pathways.ws, stages.ws)):
        wb.move_sheet(ws, offset=position - wb.index(ws))
    wb.active = 0
    for ws in wb.worksheets:
        set_up_printing(ws, landscape=ws is not summary)
    # The file carries formulas, not their values: a spreadsheet program computes them all as it opens it.
    wb.calculation.fullCalcOnLoad = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
