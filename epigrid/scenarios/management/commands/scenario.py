import json
import os
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from epigrid.core.commands import require_migrated
from epigrid.scenarios.builder import ScenarioContext, parts

SCENARIOS = ["encheng"]


def database_is_empty() -> bool:
    from epigrid.accounts.models import User
    from epigrid.geo.models import Jurisdiction

    return not (Jurisdiction.objects.exists() or User.objects.exists())


class Command(BaseCommand):
    help = (
        "Build a reference scenario (the Encheng subdistrict of the seed) into an empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=SCENARIOS)
        parser.add_argument(
            "--scale", type=int, default=1, help="K subdistricts shaped like Encheng"
        )
        parser.add_argument(
            "--seed", type=int, default=2020, help="changes people and times, not counts"
        )
        parser.add_argument("--accounts-json", type=Path, help="write the demo accounts here")
        parser.add_argument("--reset", action="store_true", help="empty a non-empty database first")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (exit 0) when the database holds data",
        )

    def handle(self, *args, **options) -> None:
        require_migrated()
        import random

        scale = options["scale"]
        if not 1 <= scale <= 1000:
            raise CommandError("--scale must be between 1 and 1000")
        if not database_is_empty():
            if options["if_empty"]:
                self.stdout.write("The database already holds data; the scenario was not rebuilt.")
                path = options["accounts_json"]
                if path and path.exists():
                    self._print_accounts(json.loads(path.read_text(encoding="utf-8")), None)
                return
            if not options["reset"]:
                raise CommandError(
                    "The database is not empty. Use --reset to erase it and build the scenario."
                )
            call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        ctx = ScenarioContext(scale=scale, seed=options["seed"], rng=random.Random(options["seed"]))
        with transaction.atomic():
            for p in parts():
                p.build(ctx)
        if connection.vendor == "postgresql":
            # Fresh tables have no planner statistics until autovacuum comes round.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        if options["accounts_json"]:
            options["accounts_json"].parent.mkdir(parents=True, exist_ok=True)
            options["accounts_json"].write_text(
                json.dumps(ctx.accounts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        summary = ", ".join(f"{k} {v}" for k, v in ctx.counts.items())
        self.stdout.write(
            f"Built scenario {options['name']} at scale {scale} in {elapsed:.1f} s: {summary}"
        )
        self._print_accounts(ctx.accounts, ctx.data.get("demo_password_shown"))

    def _print_accounts(self, accounts: list[dict], password: str | None) -> None:
        from epigrid.accounts.scenario import DEFAULT_DEMO_PASSWORD

        self.stdout.write("Demo accounts (user name, role, jurisdiction):")
        for account in accounts:
            self.stdout.write(
                f"  {account['username']:<16} {account['role']:<18} {account['jurisdiction']}"
            )
        if password:
            self.stdout.write(f"Password for all of them: {password}")
        elif password is None and not os.environ.get("EPIGRID_DEMO_PASSWORD"):
            self.stdout.write(f"Password (unless changed): {DEFAULT_DEMO_PASSWORD}")
