import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from costing import exchange
from pathways.backup import practice_restore
from pathways.models import CostModel
from pathways.services import cost_model_import
from practices.models import Practice


class Command(BaseCommand):
    help = (
        "Restore a folder written by export_practice: the practice as it was backed up, replacing what it"
        " holds now (created if missing), all or nothing; importing it again changes nothing."
    )

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
        if manifest.get("backup"):
            self._restore(folder / manifest["backup"])
        else:
            self._models_only(folder, details, entries)

    def _restore(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            restored = practice_restore(data=data, by=None)
        except (OSError, ValueError) as exc:  # BackupError is a ValueError
            raise CommandError(f"{path}: {exc}; nothing was restored") from None
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in restored.counts.items())
        what = "new" if restored.created else "existing"
        self.stdout.write(f"Restored {what} practice {restored.practice}: {counts}")
        if restored.missing_users:
            self.stderr.write(
                "Not restored, as these users have no account here (accounts are only in a database dump): "
                + ", ".join(restored.missing_users)
            )

    def _models_only(self, folder: Path, details: dict, entries: list) -> None:
        """A folder from before practice.json: its models added to the practice."""
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
