from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api import services


class Command(BaseCommand):
    help = "Make an API token for a user and print it as the last line (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Made with manage.py api_token", help="what the token is for")
        parser.add_argument("--days", type=int, help="expire after this many days (default: never, until revoked)")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user {options['username']!r}")
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days must be at least 1")
        expires_at = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
        try:
            token, secret = services.api_token_create(user=user, name=options["name"][:100], expires_at=expires_at)
        except services.TooManyTokens as exc:
            raise CommandError(str(exc)) from None
        expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "does not expire"
        self.stdout.write(f"API token {token.pk} “{token.name}” for {user.get_username()} ({expiry}):")
        self.stdout.write(secret)
