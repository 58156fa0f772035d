from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.accounts.services import api_token_issue
from safeguarding.organisations.models import User


class Command(BaseCommand):
    help = "Issue an API token for USERNAME. The token is printed once, on the last line, and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to tell tokens apart.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user called {options['username']!r}") from error
        token, raw = api_token_issue(user=user, name=options["name"])
        self.stderr.write(
            f"Issued token {token.prefix}… for {user.username}. Store it now: it cannot be shown again."
        )
        self.stdout.write(raw)
