"""Model files in management commands: read (any problem is one CommandError line) and headline text."""

from pathlib import Path

from django.core.management.base import CommandError

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
        f"People: {before.people} → {after.people}; reviews: {before.reviews} → {after.reviews}\n"
        f"Visits: {before.visits} → {after.visits}\n"
        f"Contact time: {exchange.figure(before.contact_minutes)} → {exchange.figure(after.contact_minutes)} minutes"
    )
