import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from costing import exchange
from pathways.models import CostModel
from pathways.services import cost_model_import
from practices.models import Practice


class Command(BaseCommand):
    help = "Restore a folder written by export_practice: the practice (if missing) and all its models, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            details = manifest["practice"]
            entries = manifest["models"]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"{folder}: not a practice export ({exc})") from None
        models = []
        for entry in entries:
            try:
                models.append((entry, exchange.loads((folder / entry["file"]).read_bytes())))
            except (OSError, exchange.ModelFileError) as exc:
                raise CommandError(f"{folder / entry['file']}: {exc}") from None
        with transaction.atomic():
            practice, created = Practice.objects.get_or_create(
                ods_code=details["ods_code"], defaults={"name": details["name"], "list_size": details["list_size"]}
            )
            stored = {}
            for entry, model in models:
                stored[entry["id"]] = cost_model_import(practice=practice, model=model, by=None, name=entry["name"])
            for entry, _model in models:
                original = stored.get(entry.get("based_on"))
                if original is not None:
                    CostModel.objects.filter(pk=stored[entry["id"]].pk).update(based_on=original)
        what = "created" if created else "existing"
        self.stdout.write(f"Restored {len(models)} model(s) into {what} practice {practice}")
