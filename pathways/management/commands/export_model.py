from django.core.management.base import BaseCommand, CommandError

from costing import exchange
from pathways import selectors
from pathways.models import CostModel


class Command(BaseCommand):
    help = "Write a stored cost model as a model file (exchange format version 1)."

    def add_arguments(self, parser):
        parser.add_argument("model_id", type=int)
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        try:
            loaded = selectors.cost_model_with_rows(cost_model_id=options["model_id"])
        except CostModel.DoesNotExist:
            raise CommandError(f"no cost model with id {options['model_id']}") from None
        text = exchange.dumps(selectors.engine_model(loaded))
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
