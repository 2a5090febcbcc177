"""`epigrid import KIND FILE`: a spreadsheet import from the command line.

Prints {"rows", "created", "updated", "unchanged", "duplicates", "errors"}; row errors go to
--errors as an .xlsx. --dry-run reads and checks every row and rolls everything back.
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.http import Http404

from epigrid.accounts.access import SYSTEM, actor_for
from epigrid.accounts.models import User
from epigrid.core.commands import require_migrated
from epigrid.geo.models import Jurisdiction
from epigrid.spreadsheets import services
from epigrid.spreadsheets.export import errors_xlsx
from epigrid.spreadsheets.kinds import registered_kinds


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Import a spreadsheet (tenant register, arrival list, ...) into the register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", help="what the file holds: " + ", ".join(k.kind for k in registered_kinds())
        )
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="import as this user, within their area "
            "(default: the operator, over the whole tree)",
        )
        parser.add_argument(
            "--jurisdiction",
            help="code of the area the file covers (default: the user's, or the top)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
        parser.add_argument("--errors", type=Path, help="write the row errors here (.xlsx)")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, **options) -> None:
        require_migrated()
        kinds = {k.kind for k in registered_kinds()}
        if options["kind"] not in kinds:
            raise CommandError(
                f"unknown kind {options['kind']!r}; one of: {', '.join(sorted(kinds))}"
            )
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file at {path}")
        actor = SYSTEM
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user named {options['user']!r}")
            actor = actor_for(user)
        jpath = self._area(actor, options["jurisdiction"])
        try:
            with transaction.atomic():
                job = services.import_upload(
                    actor=actor,
                    kind=options["kind"],
                    file=path.read_bytes(),
                    filename=path.name,
                    jpath=jpath,
                )
                job = services.import_commit(actor=actor, job=job)
                summary = job.summary()
                report = errors_xlsx(job) if options["errors"] else None
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            pass
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except (PermissionDenied, Http404) as exc:
            raise CommandError("this user may not import into that area") from exc
        if report is not None:
            options["errors"].write_bytes(report)
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary))
        else:
            for key, value in summary.items():
                self.stdout.write(f"{key:<11} {value:>8,}")
        if summary.get("errors") and not options["errors"]:
            self.stderr.write("some rows were not taken; use --errors PATH to get the list")

    @staticmethod
    def _area(actor, code: str | None) -> str:
        if code:
            node = Jurisdiction.objects.filter(code=code).first()
            if node is None:
                raise CommandError(f"no jurisdiction with code {code!r}")
            return node.path
        if actor.grants:
            return actor.grants[0].path
        root = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
        if root is None:
            raise CommandError("the database holds no jurisdictions")
        return root.path
