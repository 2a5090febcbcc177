"""`epigrid quarantine_scan`: raises the missed-slots alerts ("two follow-ups missed in a
row") that have come due. Idempotent, run every few minutes (epigrid/schedules.py)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from epigrid.core.commands import require_migrated
from epigrid.quarantine.services.escalation import scan_missed


class Command(BaseCommand):
    help = "Raise an alert for each open case with two consecutive follow-up slots missed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="judge as of this local time (YYYY-MM-DDTHH:MM); default: now"
        )

    def handle(self, *args, **options) -> None:
        require_migrated()
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(
                    f"--now must be YYYY-MM-DDTHH:MM, not {options['now']!r}"
                ) from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        raised = scan_missed(now=now)
        self.stdout.write(f"{raised} missed-slots alert(s) raised")
