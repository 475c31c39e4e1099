"""Bounds on what a person can sensibly enter; beyond them a figure is a typo.

Shared by the model file reader, the forms and the database columns, so that a
value accepted in one place is accepted in all (tests/integration/
test_form_round_trip.py walks every form field through export and import). Pure
Python: no Django.
"""

import re
from decimal import Decimal

# A single stage of one person's review longer than a working day is a typo.
MAX_STAGE_MINUTES = Decimal(480)
# More patients in one cohort than the largest practice list in England (about
# 100,000) times ten: room for a PCN roll-up, not for a slipped key.
MAX_COHORT_PATIENTS = 1_000_000
# A full unit cost per hour of GMS activity is about £161 (PSSRU 2024).
MAX_COST_PER_HOUR = Decimal(1000)
# Far above any salaried GP or consultant.
MAX_ANNUAL_SALARY = Decimal(1_000_000)
# Employer NI and pension together are under 40 %.
MAX_ON_COST_PERCENT = Decimal(100)
# Hours in a year.
MAX_PAID_HOURS_PER_YEAR = Decimal(8760)
# Postage, stamps and consumables for one patient at one stage.
MAX_EXTRA_COST = Decimal(1000)
MAX_VISIT_NUMBER = 20
# How often each patient of a cohort goes through its pathway in the model's
# period: monthly in a yearly model is the most any review is repeated.
MAX_TIMES = 12
# The size of one model: what a real practice needs, and no more, because every
# page and report shows the whole model. A practice runs about 30 pathways (the
# seed's example C/D, a large practice, has 28, none longer than 6 stages), each
# a handful of stages; a couple of hundred cohorts a side (each register, and
# the combinations of registers that anyone would list one by one); a dozen
# kinds of staff. Past these a model is a mistake or an attack: at 500 pathways
# x 50 stages, 200 roles and 2,000 cohorts a side the comparison page was 228 MB
# of HTML and the PDF failed (issue 15). tests/integration/test_limits.py serves
# a model at every limit below through every page and report; the what-if
# panel, which has a field for every stage, is the page that grows fastest.
MAX_PATHWAYS = 30
MAX_STAGES_PER_PATHWAY = 20
MAX_ROLES = 20
MAX_COHORTS_PER_SIDE = 250
# Groups of people sharing a set of conditions: as many as the cohorts of both sides.
MAX_GROUPS = 2 * MAX_COHORTS_PER_SIDE
MAX_NAME_LENGTH = 200
# The age from which a register (and its prevalence) counts patients: QOF's run up to 50+.
MAX_REGISTER_AGE = 120
MAX_KEY_LENGTH = 50
# A role's band: "AfC 8a", "Salaried GP (upper)".
MAX_BAND_LENGTH = 50
# A model's or a pathway's description: a page of text. A 1 MB description took
# the PDF 6 s, and a file holding it could not be imported back (issue 15).
MAX_DESCRIPTION_LENGTH = 10_000
# A model file or a cohort spreadsheet: a model at every limit above is about
# 1 MB as a file. The upload is refused as it arrives, not after (config/uploads.py).
MAX_MODEL_FILE_BYTES = 5 * 1024 * 1024
# A spreadsheet (XLSX) is a zip: what it may hold unpacked, so a small file cannot
# unpack to gigabytes.
MAX_UNPACKED_WORKBOOK_BYTES = 50 * 1024 * 1024

# Decimal places stored, per kind of figure (the database columns match).
MINUTES_PLACES = 2
MONEY_PLACES = 2
# An extra cost (postage, a text message at a fraction of a penny) before the
# stage line is rounded to the penny (costing rule 1).
EXTRA_COST_PLACES = 4
RATE_PLACES = 4
PERCENT_PLACES = 3
HOURS_PLACES = 2


# Text a person typed: no control characters (a NUL breaks PostgreSQL, the others
# break the XLSX export and are invisible on the page) and no lone surrogates
# (not encodable as UTF-8). A description may keep its line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_IN_DESCRIPTION = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as a name (or, ``multiline``, a description); None if it can."""
    found = (_CONTROL_IN_DESCRIPTION if multiline else _CONTROL).search(value)
    if found is None:
        return None
    if "\ud800" <= found.group() <= "\udfff":
        return "contains a character that is not valid text (a lone surrogate)"
    return f"contains a control character (U+{ord(found.group()):04X})"
