"""No lost updates: an edit saves only if nobody saved the object since it was opened.

The check is in the UPDATE itself (``WHERE version = <the version the editor
opened>``), so two saves racing on any database cannot both win.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F, Model

# An edit form posted without the version it was opened at (a page from before
# the check, or a hand-made request) would overwrite whatever was saved since.
STALE_PAGE = (
    "This page did not say which version you opened, so nothing was saved: open it again and make your change there."
)


def require_version(cleaned: dict) -> None:
    """An edit form's hidden version is required: refused with a message the user can act on."""
    if cleaned.get("version") is None:
        raise ValidationError(STALE_PAGE, code="version_missing")


class EditConflict(Exception):
    """Someone else saved the object since it was opened; nothing was written."""

    def __init__(self, instance: Model, expected_version: int):
        self.instance = instance
        self.expected_version = expected_version
        super().__init__(f"{instance._meta.verbose_name} {instance.pk} changed since version {expected_version}")


def claim_version(instance: Model, expected_version: int | None) -> None:
    """Move ``instance`` to the next version, or raise EditConflict if it moved on.

    With ``expected_version`` None the check is skipped (a write that is not an
    edit of what the user saw, e.g. an import), but the version still moves on.
    """
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1) != 1:
        instance.refresh_from_db(fields=["version"])
        raise EditConflict(instance, expected_version)
    instance.refresh_from_db(fields=["version"])
