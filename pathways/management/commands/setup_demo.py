from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from costing import exchange, profiles, reference, tables
from pathways.models import Condition, CostModel, DecisionInputs
from pathways.services import (
    INPUT_FIELDS,
    SetupCostInput,
    cost_model_import,
    cost_model_mark_baseline,
    decision_inputs_save,
    profile_create,
)
from practices.models import Facilitator, FacilitatorAssignment, Membership, Organisation, Practice, StaffRole

PROFILE_TEMPLATE = Path(__file__).resolve().parents[3] / "static" / "files" / "practice-profile-template.csv"

# Demo logins for the embedded development database only; printed by `make run`.
DEMO_USERS = [
    ("facilitator", "Fiona", "Facilitator", "yoc-facilitator-demo", None),
    ("practice.admin", "Priya", "Admin", "yoc-admin-demo", Membership.Role.ADMIN),
    ("practice.staff", "Sam", "Staff", "yoc-staff-demo", Membership.Role.STAFF),
    ("other.admin", "Olu", "Other", "yoc-other-demo", "other"),
]


class Command(BaseCommand):
    help = "Create the demo practices, the seed's worked examples and demo logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="HOST:PORT the development server will serve, for the printed address (make run passes its own)",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo logins' passwords are published in the README.
            raise CommandError("setup_demo creates logins whose passwords are public: it does not run in production.")
        icb = Organisation.objects.get_or_create(name="Demo Integrated Care Board", kind=Organisation.Kind.ICB)[0]
        pcn = Organisation.objects.get_or_create(
            name="Demo Primary Care Network", kind=Organisation.Kind.PCN, defaults={"parent": icb}
        )[0]
        demo = Practice.objects.get_or_create(
            ods_code="Y00001", defaults={"name": "Year of Care demo practice", "list_size": 9699, "organisation": pcn}
        )[0]
        other = Practice.objects.get_or_create(
            ods_code="Y00002", defaults={"name": "Second demo practice", "list_size": 6400, "organisation": pcn}
        )[0]
        users = {}
        User = get_user_model()
        for username, first, last, password, _role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.nhs.uk"},
            )
            if created:
                user.set_password(password)
                user.save()
            users[username] = user
        facilitator = Facilitator.objects.get_or_create(user=users["facilitator"])[0]
        for practice in (demo, other):
            FacilitatorAssignment.objects.get_or_create(facilitator=facilitator, practice=practice)
        Membership.objects.get_or_create(user=users["practice.admin"], practice=demo, defaults={"role": "admin"})
        Membership.objects.get_or_create(user=users["practice.staff"], practice=demo, defaults={"role": "staff"})
        Membership.objects.get_or_create(user=users["other.admin"], practice=other, defaults={"role": "admin"})

        for practice, fixture in ((demo, "example_b.json"), (demo, "example_cd.json"), (other, "example_b.json")):
            model = exchange.loads((reference.EXAMPLES_DIR / fixture).read_bytes())
            if not CostModel.objects.filter(practice=practice, name=model.name).exists():
                stored = cost_model_import(practice=practice, model=model, by=users["facilitator"])
                if fixture == "example_cd.json":
                    self._decision_inputs(stored, users["facilitator"])
                    # The demo practice's real figures (a month's), which the roll-up shows a year of.
                    cost_model_mark_baseline(cost_model=stored, by=users["facilitator"])

        if not demo.profiles.exists():
            self._profile(demo, users["facilitator"])

        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in at http://{options['address']}/ as:"))
        for username, _first, _last, password, role in DEMO_USERS:
            what = {
                None: "Year of Care facilitator (both demo practices)",
                Membership.Role.ADMIN: "practice admin, Year of Care demo practice (Y00001)",
                Membership.Role.STAFF: "practice staff (read-only), Year of Care demo practice (Y00001)",
                "other": "practice admin, Second demo practice (Y00002)",
            }[role]
            self.stdout.write(f"  {username:16} password {password:22} {what}")

    def _profile(self, practice, by):
        """The profile template's counts, so that a model can be generated with example B's pathways."""
        table = tables.read_table(PROFILE_TEMPLATE.read_bytes(), PROFILE_TEMPLATE.name)
        profile = profiles.read_profile(table, conditions=set(Condition.objects.values_list("code", flat=True)))
        profile_create(
            practice=practice,
            read_on=date(2026, 11, 2),
            note="Demo: the import template's counts",
            profile=profile,
            by=by,
        )

    def _decision_inputs(self, cost_model, by):
        """A stated uncertainty and set-up cost for C/D, so decision support shows everything."""
        values = {name: DecisionInputs._meta.get_field(name).default for name in INPUT_FIELDS}
        values.update(rate_uncertainty_percent=Decimal(10), minutes_uncertainty_percent=Decimal(20))
        nurse = StaffRole.objects.get(practice=cost_model.practice, key="pn-b7")
        decision_inputs_save(
            cost_model=cost_model,
            values=values,
            setup_costs=[
                SetupCostInput(kind="training", role=nurse, hours=Decimal(14), amount=None, description="CSP training"),
                SetupCostInput(
                    kind="other", role=None, hours=None, amount=Decimal("697.60"), description="Templates and letters"
                ),
            ],
        )
