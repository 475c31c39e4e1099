import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from costing import exchange
from pathways import selectors
from pathways.backup import practice_backup
from practices.models import Practice

BACKUP_NAME = "practice.json"


class Command(BaseCommand):
    help = (
        "Back up a practice into a folder: practice.json (everything of the practice, what import_practice"
        " restores) and each cost model as a model file (readable, portable), with a manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("ods_code")
        parser.add_argument("-o", "--output", required=True, help="folder to write (created if missing)")

    def handle(self, *args, **options):
        practice = Practice.objects.filter(ods_code=options["ods_code"].upper()).first()
        if practice is None:
            raise CommandError(f"no practice with ODS code {options['ods_code']!r}")
        folder = Path(options["output"])
        folder.mkdir(parents=True, exist_ok=True)
        backup = practice_backup(practice)
        (folder / BACKUP_NAME).write_text(json.dumps(backup, indent=1, ensure_ascii=False), encoding="utf-8")
        files = []
        loaded = selectors.cost_models().filter(practice=practice).order_by("pk")
        for number, cost_model in enumerate(loaded, start=1):
            name = f"{number:03d}-{slugify(cost_model.name)[:60] or 'model'}.json"
            (folder / name).write_text(exchange.dumps(selectors.engine_model(cost_model)), encoding="utf-8")
            files.append(
                {"file": name, "name": cost_model.name, "based_on": cost_model.based_on_id, "id": cost_model.pk}
            )
        manifest = {
            "practice": {"name": practice.name, "ods_code": practice.ods_code, "list_size": practice.list_size},
            "backup": BACKUP_NAME,
            "models": files,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        counts = ", ".join(f"{len(rows)} {name.replace('_', ' ')}" for name, rows in backup["tables"].items())
        self.stdout.write(f"Backed up {practice} to {folder}: {counts}")
