"""Bounds on what a person can sensibly enter; beyond them a figure is a typo.

Shared by the model file reader, the forms and the database columns, so that a
value accepted in one place is accepted in all. Pure Python: no Django.
"""

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
# Groups of people sharing a set of conditions: a practice's combinations of its
# registers that anyone would list one by one.
MAX_GROUPS = 2000
MAX_STAGES_PER_PATHWAY = 50
MAX_PATHWAYS = 500
MAX_ROLES = 200
MAX_COHORTS_PER_SIDE = 2000
MAX_NAME_LENGTH = 200
# The age from which a register (and its prevalence) counts patients: QOF's run up to 50+.
MAX_REGISTER_AGE = 120
MAX_KEY_LENGTH = 50
MAX_MODEL_FILE_BYTES = 5 * 1024 * 1024

# Decimal places stored, per kind of figure (the database columns match).
MINUTES_PLACES = 2
MONEY_PLACES = 2
# An extra cost (postage, a text message at a fraction of a penny) before the
# stage line is rounded to the penny (costing rule 1).
EXTRA_COST_PLACES = 4
RATE_PLACES = 4
PERCENT_PLACES = 3
HOURS_PLACES = 2
