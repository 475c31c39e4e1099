import json

from django.core.management.base import BaseCommand

from costing import engine, exchange
from costing.management.model_files import headline, read_model_file


class Command(BaseCommand):
    help = "Cost a model file (exchange format version 1 or 2) with no database; --json for machine-readable output."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        model = read_model_file(options["file"])
        if options["json"]:
            self.stdout.write(json.dumps(exchange.costing_json(model), ensure_ascii=False))
            return
        comparison = engine.compare(model)
        self.stdout.write(headline(comparison))
        for d in comparison.discrepancies:
            self.stdout.write(f"Note: {d.where}: {d.what} printed {d.printed}, computed {d.computed}")
