import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from epigrid.core.commands import require_migrated
from epigrid.geo.models import Jurisdiction
from epigrid.indicators.catalogue import catalogue
from epigrid.indicators.selectors import figures_for


class Command(BaseCommand):
    help = "Print the figures catalogue for a jurisdiction on a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jurisdiction", help="node code; default: the top of the tree")
        parser.add_argument("--as-of", help="YYYY-MM-DD; default: today")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, **options) -> None:
        require_migrated()
        try:
            as_of = (
                dt.date.fromisoformat(options["as_of"])
                if options["as_of"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--as-of must be YYYY-MM-DD, not {options['as_of']!r}") from exc
        if options["jurisdiction"]:
            node = Jurisdiction.objects.filter(code=options["jurisdiction"]).first()
            if node is None:
                raise CommandError(f"no jurisdiction with code {options['jurisdiction']!r}")
        else:
            node = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
            if node is None:
                raise CommandError(
                    "the database holds no jurisdictions; run `epigrid scenario encheng`"
                )
        # The command line is the operator's own: it reads everything, like headquarters.
        from epigrid.accounts.access import SYSTEM

        figures = figures_for(actor=SYSTEM, node=node, as_of=as_of)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "as_of": as_of.isoformat(),
                        "jurisdiction": node.code,
                        "indicators": figures.totals,
                    },
                    ensure_ascii=False,
                )
            )
            return
        # The table is read by people: in the deployment's language (Chinese first).
        translation.activate(settings.LANGUAGE_CODE)
        self.stdout.write(f"{node.name} ({node.code}) {as_of.isoformat()}")
        for indicator in catalogue():
            self.stdout.write(
                f"  {indicator.key:<28} {figures.totals[indicator.key]:>10,}  {indicator.label}"
            )
