"""The register's lists as .xlsx files, with the filters of the list on screen.

- Rows are read in keyset batches and written by XlsxWriter in constant-memory mode: each row
  goes to a temporary file as soon as the next begins, with its text inline (no shared-string
  table growing with the rows), so memory stays flat however many rows there are.
- Identity numbers, phone numbers and birth dates are masked unless the actor's role holds
  EXPORT_UNMASKED over the row (a file travels further than a screen).
- No cell is ever a formula: text that a spreadsheet would read as one (starting with = + - @,
  a tab or a line break) gets a leading quote, so `=HYPERLINK(...)` typed as a name stays text.
- Every export is audited: which list, which filters, how many rows, whether unmasked.
"""

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter import Workbook

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.masking import mask_phone
from epigrid.geo import selectors as geo
from epigrid.geo.models import path_of

from . import queries, selectors
from .masking import mask_doc_number
from .models import (
    CategoryAssignment,
    DocType,
    RentalKind,
    ResidencyRole,
    Sex,
    Transport,
    UnitUse,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 2000
MAX_ROWS = 1_048_575  # Excel's last row, less the header
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters an .xlsx (XML) cannot hold.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as written: text is never read as a formula, and characters
    XML cannot hold are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
    return value


@dataclass
class Masker:
    """Masks identifiers per row, remembering whether any row went out unmasked."""

    actor: Actor
    any_unmasked: bool = False
    _seen: dict[str, bool] = field(default_factory=dict)

    def unmasked(self, jpath: str) -> bool:
        if jpath not in self._seen:
            self._seen[jpath] = self.actor.can(Capability.EXPORT_UNMASKED, jpath)
        return self._seen[jpath]

    def _show(self, jpath: str, value: Any) -> bool:
        shown = self.unmasked(jpath)
        if shown and value:
            self.any_unmasked = True
        return shown

    def doc(self, jpath: str, number: str) -> str:
        return number if self._show(jpath, number) else mask_doc_number(number)

    def phone(self, jpath: str, phone: str) -> str:
        return phone if self._show(jpath, phone) else mask_phone(phone)

    def birth(self, jpath: str, birth: dt.date | None) -> dt.date | None:
        return birth if self._show(jpath, birth) else None


Getter = Callable[[Any, Masker], Any]


@dataclass(frozen=True)
class ExportList:
    key: str
    title: Promise
    entity_type: str
    filters: tuple[str, ...]
    select: Callable[[Actor, dict[str, Any]], QuerySet]
    columns: tuple[tuple[Promise, Getter, int], ...]  # (header, value, column width)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _persons(actor: Actor, f: dict[str, Any]) -> QuerySet:
    return queries.person_search(
        actor=actor, q=f.get("q"), within=f.get("within"), category=f.get("category")
    ).prefetch_related(
        Prefetch(
            "categories",
            queryset=CategoryAssignment.objects.filter(active_until__isnull=True)
            .select_related("category")
            .order_by("id"),
            to_attr="current_categories",
        )
    )


def _dwelling(unit) -> str:
    return f"{unit.building.address} {unit.label}" if unit else ""


PERSONS = ExportList(
    key="persons",
    title=gettext_lazy("Persons"),
    entity_type="registry.person",
    filters=("q", "within", "category"),
    select=_persons,
    columns=(
        (gettext_lazy("Full name"), lambda p, m: p.name, 12),
        (gettext_lazy("Document"), lambda p, m: _labels(DocType.choices).get(p.doc_type, ""), 14),
        (gettext_lazy("Document number"), lambda p, m: m.doc(p.jpath, p.doc_number), 22),
        (gettext_lazy("Sex"), lambda p, m: _labels(Sex.choices).get(p.sex, ""), 6),
        (gettext_lazy("Birth date"), lambda p, m: m.birth(p.jpath, p.birth_date), 12),
        (gettext_lazy("Phone"), lambda p, m: m.phone(p.jpath, p.phone), 15),
        (gettext_lazy("Household registration"), lambda p, m: p.hukou_place, 24),
        (gettext_lazy("Grid"), lambda p, m: p.jurisdiction.name, 18),
        (gettext_lazy("Grid code"), lambda p, m: p.jpath[:-1], 18),
        (gettext_lazy("Dwelling"), lambda p, m: _dwelling(p.current_unit), 28),
        (
            gettext_lazy("Key-person categories"),
            lambda p, m: "、".join(a.category.name for a in p.current_categories),
            20,
        ),
        (gettext_lazy("Registered on"), lambda p, m: p.registered_on, 12),
    ),
)


def _landlord(u, m: Masker, what: str) -> str:
    if u.landlord is None:
        return ""
    if what == "doc":
        return m.doc(u.landlord.jpath, u.landlord.doc_number)
    return m.phone(u.landlord.jpath, u.landlord.phone)


UNITS = ExportList(
    key="units",
    title=gettext_lazy("Dwellings"),
    entity_type="registry.housingunit",
    filters=("within", "use", "rental_kind"),
    select=lambda actor, f: selectors.unit_list(
        actor=actor, within=f.get("within"), use=f.get("use"), rental_kind=f.get("rental_kind")
    ),
    columns=(
        (gettext_lazy("Address"), lambda u, m: u.building.address, 28),
        (gettext_lazy("Unit"), lambda u, m: u.label, 10),
        (gettext_lazy("Use"), lambda u, m: _labels(UnitUse.choices).get(u.use, u.use), 10),
        (
            gettext_lazy("Rental kind"),
            lambda u, m: _labels(RentalKind.choices).get(u.rental_kind, ""),
            22,
        ),
        (gettext_lazy("Landlord"), lambda u, m: u.landlord.name if u.landlord else "", 12),
        (gettext_lazy("Landlord's document number"), lambda u, m: _landlord(u, m, "doc"), 22),
        (gettext_lazy("Landlord's phone"), lambda u, m: _landlord(u, m, "phone"), 15),
        (gettext_lazy("Grid code"), lambda u, m: u.jpath[:-1], 18),
    ),
)


def _residencies(actor: Actor, f: dict[str, Any]) -> QuerySet:
    qs = selectors.residency_list(actor=actor, within=f.get("within"), role=f.get("role"))
    return qs.filter(move_out__isnull=True) if f.get("current") else qs


RESIDENCIES = ExportList(
    key="residencies",
    title=gettext_lazy("Residents and tenants"),
    entity_type="registry.residency",
    filters=("within", "role", "current"),
    select=_residencies,
    columns=(
        (gettext_lazy("Full name"), lambda r, m: r.person.name, 12),
        (
            gettext_lazy("Document number"),
            lambda r, m: m.doc(r.person.jpath, r.person.doc_number),
            22,
        ),
        (gettext_lazy("Phone"), lambda r, m: m.phone(r.person.jpath, r.person.phone), 15),
        (gettext_lazy("Address"), lambda r, m: r.unit.building.address, 28),
        (gettext_lazy("Unit"), lambda r, m: r.unit.label, 10),
        (gettext_lazy("Role"), lambda r, m: _labels(ResidencyRole.choices).get(r.role, ""), 10),
        (gettext_lazy("Moved in"), lambda r, m: r.move_in, 12),
        (gettext_lazy("Moved out"), lambda r, m: r.move_out, 12),
        (gettext_lazy("Recorded on"), lambda r, m: r.recorded_on, 12),
        (gettext_lazy("Grid code"), lambda r, m: r.jpath[:-1], 18),
    ),
)

ARRIVALS = ExportList(
    key="arrivals",
    title=gettext_lazy("Arrivals"),
    entity_type="registry.arrival",
    filters=("within", "risk_only", "since"),
    select=lambda actor, f: selectors.arrival_list(
        actor=actor,
        within=f.get("within"),
        risk_only=bool(f.get("risk_only")),
        since=dt.date.fromisoformat(f["since"]) if f.get("since") else None,
    ),
    columns=(
        (gettext_lazy("Full name"), lambda a, m: a.person.name, 12),
        (
            gettext_lazy("Document number"),
            lambda a, m: m.doc(a.person.jpath, a.person.doc_number),
            22,
        ),
        (gettext_lazy("Phone"), lambda a, m: m.phone(a.person.jpath, a.person.phone), 15),
        (gettext_lazy("Arrived on"), lambda a, m: a.arrived_on, 12),
        (gettext_lazy("From"), lambda a, m: a.from_place, 20),
        (gettext_lazy("From (region code)"), lambda a, m: a.from_code, 12),
        (gettext_lazy("Passed through (region codes)"), lambda a, m: " ".join(a.via_codes), 16),
        (
            gettext_lazy("Transport"),
            lambda a, m: _labels(Transport.choices).get(a.transport, ""),
            8,
        ),
        (gettext_lazy("Trip number"), lambda a, m: a.trip_number, 10),
        (
            gettext_lazy("Epidemic source area"),
            lambda a, m: str(_("yes")) if a.touches_risk_area else str(_("no")),
            10,
        ),
        (gettext_lazy("Recorded on"), lambda a, m: a.recorded_on, 12),
        (gettext_lazy("Grid code"), lambda a, m: a.jpath[:-1], 18),
    ),
)

LISTS: dict[str, ExportList] = {e.key: e for e in (PERSONS, UNITS, RESIDENCIES, ARRIVALS)}


def batches(qs: QuerySet, size: int | None = None) -> Iterator[list[Any]]:
    """The rows in id order, `size` (default BATCH) at a time: each batch is one query (plus
    its prefetches), and no more than one batch is held at once."""
    size = size or BATCH
    qs = qs.order_by("id")
    last = None
    while True:
        chunk = list((qs.filter(id__gt=last) if last is not None else qs)[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1].pk


@dataclass(frozen=True)
class Written:
    file: IO[bytes]
    rows: int
    unmasked: bool
    truncated: bool


def write_xlsx(*, actor: Actor, spec: ExportList, filters: dict[str, Any]) -> Written:
    """The list as an .xlsx in a temporary file (positioned at its start)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book = Workbook(
        out,
        {
            "constant_memory": True,
            # Text is text: never a formula, a link or a number (ID numbers would lose digits).
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet(str(spec.title)[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for index, (_label, _get, width) in enumerate(spec.columns):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    for index, (label, _get, _width) in enumerate(spec.columns):
        sheet.write_string(0, index, str(label), bold)
    masker = Masker(actor)
    rows = 0
    truncated = False
    for chunk in batches(spec.select(actor, filters)):
        for row in chunk:
            if rows >= MAX_ROWS:
                truncated = True
                break
            rows += 1
            for index, (_label, get, _width) in enumerate(spec.columns):
                _write(sheet, rows, index, safe_cell(get(row, masker)), day)
        if truncated:
            break
    book.close()
    out.seek(0)
    return Written(file=out, rows=rows, unmasked=masker.any_unmasked, truncated=truncated)


def _write(sheet: Any, row: int, col: int, value: Any, day: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, day)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, safe_cell(str(value)))


def _audit_path(actor: Actor, filters: dict[str, Any]) -> str:
    if filters.get("within"):
        return path_of(filters["within"])
    paths = actor.paths(Capability.REGISTRY_VIEW)
    return paths[0] if paths else ""


def export_response(*, actor: Actor, key: str, filters: dict[str, Any]) -> FileResponse:
    """Writes the list, audits the export and returns the file as a download."""
    spec = LISTS[key]
    used = {k: v for k, v in filters.items() if k in spec.filters and v not in (None, "", False)}
    if used.get("within"):  # 404 outside the actor's area, as for the list itself
        geo.jurisdiction_get(actor=actor, code=used["within"], capability=Capability.REGISTRY_VIEW)
    written = write_xlsx(actor=actor, spec=spec, filters=used)
    audit_record(
        actor=actor,
        action="export.create",
        jpath=_audit_path(actor, used),
        entity_type=spec.entity_type,
        entity_label=str(spec.title),
        after={
            "list": spec.key,
            "filters": {k: str(v) for k, v in used.items()},
            "rows": written.rows,
            "unmasked": written.unmasked,
            **({"truncated": True} if written.truncated else {}),
        },
    )
    name = f"{spec.key}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(written.file, as_attachment=True, filename=name, content_type=XLSX)
