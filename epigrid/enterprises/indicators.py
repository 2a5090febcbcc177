"""Figures of work resumption. Each is one grouped count by path over indexed columns of the
enterprise rows (never the personal rows of the employees beyond their own indexed flag),
with the as-of-day semantics of the other figures: what was true at the end of that day."""

import datetime as dt
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel
from epigrid.indicators.catalogue import Indicator, count_by_path, register

from .models import (
    Application,
    Employee,
    Enterprise,
    Inspection,
    Need,
    Rectification,
    Status,
    TaskForce,
)

GROUP = _("Work resumption")


def _end(as_of: dt.date) -> dt.datetime:
    """The end of the as-of local day (the next local midnight)."""
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def _by_end(column: str) -> Callable[[dt.date], Q]:
    """Rows whose `column` (a time) falls before the end of the as-of day."""
    return lambda as_of: Q(**{f"{column}__lt": _end(as_of)})


def _open_at_end(opened: str, closed: str) -> Callable[[dt.date], Q]:
    """Rows opened before the end of the as-of day and not closed by then."""

    def on_date(as_of: dt.date) -> Q:
        end = _end(as_of)
        return Q(**{f"{opened}__lt": end}) & (
            Q(**{f"{closed}__isnull": True}) | Q(**{f"{closed}__gte": end})
        )

    return on_date


FIGURES: list[tuple[str, QuerySet, Callable[[dt.date], Q], Promise, Promise]] = [
    (
        "enterprises",
        Enterprise.objects.all(),
        _by_end("created_at"),
        _("Enterprises"),
        _("Enterprises on the register at the end of the date."),
    ),
    (
        "resumption_applications",
        Application.objects.all(),
        _by_end("first_submitted_at"),
        _("Applications to resume work"),
        _("Applications to resume work submitted at least once by the end of the date."),
    ),
    (
        "resumption_approved",
        Application.objects.filter(status=Status.APPROVED),
        _by_end("decided_at"),
        _("Approved to resume work"),
        _("Applications to resume work approved by the end of the date."),
    ),
    (
        "task_forces",
        TaskForce.objects.all(),
        DatedModel.active_on_q,
        _("Task forces"),
        _("Task forces (专班) inspecting enterprises, active on the date."),
    ),
    (
        "enterprise_workers_from_risk_areas",
        Employee.objects.filter(from_risk_area=True),
        DatedModel.active_on_q,
        _("Employees from epidemic source areas"),
        _(
            "Employees on an enterprise's roster on the date whose origin or arrivals touched "
            "an epidemic source area."
        ),
    ),
    (
        "inspections_done",
        Inspection.objects.all(),
        lambda as_of: Q(inspected_on__lte=as_of),
        _("Enterprise inspections"),
        _("Inspections and re-inspections of enterprises made up to the date."),
    ),
    (
        "rectifications_open",
        Rectification.objects.all(),
        _open_at_end("created_at", "closed_at"),
        _("Rectifications open"),
        _("Inspection findings not yet closed by a re-inspection at the end of the date."),
    ),
    (
        "enterprise_needs_open",
        Need.objects.all(),
        _open_at_end("raised_at", "resolved_at"),
        _("Enterprise needs open"),
        _("Needs and problems of enterprises raised and not resolved at the end of the date."),
    ),
]

for order, (key, queryset, on_date, label, description) in enumerate(FIGURES, start=80):
    register(
        Indicator(
            key=key,
            label=label,
            description=description,
            counter=count_by_path(queryset, on_date),
            order=order,
            group=GROUP,
        )
    )
