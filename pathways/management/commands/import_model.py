from django.core.management.base import BaseCommand, CommandError

from costing import exchange
from costing.management.model_files import headline, read_model_file
from pathways import selectors
from pathways.services import cost_model_import
from practices.models import Practice


class Command(BaseCommand):
    help = "Import a model file into a practice (all or nothing) and print its headline figures."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--practice", required=True, metavar="ODS", help="the practice's ODS code")
        parser.add_argument("--name", help="store under this name instead of the file's")

    def handle(self, *args, **options):
        model = read_model_file(options["file"])
        practice = Practice.objects.filter(ods_code=options["practice"].upper()).first()
        if practice is None:
            raise CommandError(f"no practice with ODS code {options['practice']!r}")
        try:
            stored = cost_model_import(practice=practice, model=model, by=None, name=options["name"])
        except exchange.ModelFileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        self.stdout.write(f"Imported as model {stored.pk} in {practice}")
        self.stdout.write(headline(selectors.compare_cost_model(stored)))
