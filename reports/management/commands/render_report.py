from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from costing.management.model_files import read_model_file
from reports.pdf import PdfUnavailable, ReportSubject, render_pdf


class Command(BaseCommand):
    help = "Render the PDF report of a model file (exchange format version 1), with no database."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")

    def handle(self, *args, **options):
        model = read_model_file(options["file"])
        try:
            pdf = render_pdf(model, ReportSubject(model_name=model.name, description=model.description))
        except PdfUnavailable as unavailable:
            raise CommandError(str(unavailable)) from None
        try:
            Path(options["output"]).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"{options['output']}: cannot write ({exc.strerror})") from None
        self.stdout.write(f"Wrote {options['output']} ({len(pdf):,} bytes)")
