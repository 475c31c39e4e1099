from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from costing import engine
from costing.management.model_files import read_model_file
from reports.model_workbook import workbook
from reports.pdf import PdfUnavailable, ReportSubject, render_pdf, render_summary_pdf

# What each output's extension writes: the full report, its one-page summary, the live workbook.
FORMATS = {".pdf": "the PDF report", ".xlsx": "the workbook"}


class Command(BaseCommand):
    help = (
        "Render a model file (exchange format) with no database: the PDF report (-o OUT.pdf; --summary for page 1 "
        "alone) or the live workbook (-o OUT.xlsx), the format from the extension."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("-o", "--output", required=True, help="the file to write: .pdf or .xlsx")
        parser.add_argument("--summary", action="store_true", help="the one-page summary only (PDF)")

    def handle(self, *args, **options):
        output = Path(options["output"])
        suffix = output.suffix.lower()
        if suffix not in FORMATS:
            raise CommandError(f"{output}: name a .pdf or .xlsx file (the format is taken from the extension)")
        model = read_model_file(options["file"])
        if suffix == ".xlsx":
            content = workbook(model, engine.compare(model))
        else:
            subject = ReportSubject(model_name=model.name, description=model.description)
            render = render_summary_pdf if options["summary"] else render_pdf
            try:
                content = render(model, subject)
            except PdfUnavailable as unavailable:
                raise CommandError(str(unavailable)) from None
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write ({exc.strerror})") from None
        self.stdout.write(f"Wrote {output} ({len(content):,} bytes)")
