"""`epigrid checkpoints_rollup_rebuild`: recomputes the checkpoints' hourly figures from the
checks themselves (a repair; the ingest service keeps them up to date as it stores checks).
Idempotent; not scheduled."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from epigrid.checkpoints.services.rollups import hours_rebuild
from epigrid.core.commands import require_migrated


class Command(BaseCommand):
    help = "Recompute the checkpoints' hourly figures (CheckHour) from the checks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            type=int,
            action="append",
            dest="checkpoints",
            help="only this checkpoint (its id; may be repeated); default: all",
        )
        parser.add_argument(
            "--since", help="only from this local day (YYYY-MM-DD); default: all time"
        )

    def handle(self, *args, **options) -> None:
        require_migrated()
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError(f"--since must be YYYY-MM-DD, not {options['since']!r}") from exc
        started = time.perf_counter()
        rows = hours_rebuild(checkpoint_ids=options["checkpoints"], since=since)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{rows} checkpoint hour(s) rebuilt in {elapsed:.2f} s")
