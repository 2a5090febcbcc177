from django.core.management.base import BaseCommand, CommandError, CommandParser

from epigrid.accounts.access import SYSTEM
from epigrid.accounts.models import User
from epigrid.accounts.services import token_create


class Command(BaseCommand):
    help = "Manage API tokens: `token create USERNAME` prints a new token (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['username']!r}")
        self.stdout.write(token_create(actor=SYSTEM, user=user, name=options["name"]))
