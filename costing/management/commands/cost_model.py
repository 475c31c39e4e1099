import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from costing import engine, exchange


def read_model_file(path: str) -> engine.CostModel:
    """Read and check a model file; any problem is one CommandError line."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        return exchange.loads(text)
    except exchange.ModelFileError as exc:
        raise CommandError(f"{path}: {exc}") from None


def headline(comparison: engine.Comparison) -> str:
    before, after = comparison.before, comparison.after
    percent = f", {comparison.saving_percent}%" if comparison.saving_percent is not None else ""
    return (
        f"{comparison.name} ({comparison.period.value})\n"
        f"Cost: £{before.cost:,} → £{after.cost:,} (saving £{comparison.saving:,}{percent})\n"
        f"Visits: {before.visits} → {after.visits}\n"
        f"Contact time: {exchange.figure(before.contact_minutes)} → {exchange.figure(after.contact_minutes)} minutes"
    )


class Command(BaseCommand):
    help = "Cost a model file (exchange format version 1) with no database; --json for machine-readable output."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        model = read_model_file(options["file"])
        comparison = engine.compare(model)
        if options["json"]:
            self.stdout.write(json.dumps(exchange.comparison_json(comparison), ensure_ascii=False))
            return
        self.stdout.write(headline(comparison))
        for d in comparison.discrepancies:
            self.stdout.write(f"Note: {d.where}: {d.what} printed {d.printed}, computed {d.computed}")
