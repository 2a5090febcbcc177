"""Pages: headquarters' live board of the checkpoints (today's figures of each, silent ones
on top, refreshed every 30 seconds by htmx polling its rows) and one checkpoint's day hour
by hour, with its last week day by day. CHECKPOINTS_VIEW, scoped: a grid worker's board is
their grid's checkpoints, headquarters' the city's."""

import contextlib
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import urlencode

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.geo import selectors as geo
from epigrid.rosters.models import hhmm

from ..selectors import rollups as selectors

REFRESH_SECONDS = 30
WEEK = 7


def _within(request: HttpRequest, actor: Actor):
    """The jurisdiction the board is narrowed to (?within=code), or None; 404 outside scope."""
    code = (request.GET.get("within") or "").strip()[:64]
    if not code:
        return None
    return geo.jurisdiction_get(actor=actor, code=code, capability=Capability.CHECKPOINTS_VIEW)


def _hours_label(opens: int, closes: int) -> str:
    if (opens, closes) == (0, 24 * 60):
        return "00:00–24:00"
    return f"{hhmm(opens)}–{hhmm(closes)}"


def _board_day(request: HttpRequest) -> dt.date | None:
    """A past day to look back on (?day=YYYY-MM-DD), or None for the live board; a day not
    before today is the live board too."""
    with contextlib.suppress(ValueError):
        day = dt.date.fromisoformat((request.GET.get("day") or "")[:10])
        if day < timezone.localdate():
            return day
    return None


def _board_context(request: HttpRequest) -> dict:
    actor = request_actor(request)
    node = _within(request, actor)
    within = node.code if node else None
    day = _board_day(request)
    # A past day is shown as it stood at its end (23:59:59): its figures, and which
    # checkpoints had fallen silent by then. Nothing to refresh.
    now = (
        timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
        if day
        else timezone.now()
    )
    rows = selectors.board(actor=actor, now=now, within=within)
    totals = selectors.Figures()
    for r in rows:
        totals.add(r.today.as_dict())
        r.hours = _hours_label(r.checkpoint.opens_at, r.checkpoint.closes_at)  # type: ignore[attr-defined]
    return {
        "rows": rows,
        "node": node,
        "within": within or "",
        "now": now,
        "totals": totals,
        "silent_count": sum(1 for r in rows if r.silent),
        "silence_minutes": selectors.silence_minutes(timezone.localdate(now)),
        "refresh_seconds": REFRESH_SECONDS,
        "day": day,
        "shown_day": day or timezone.localdate(now),
        "rows_query": urlencode(
            {k: v for k, v in (("within", within), ("day", day and day.isoformat())) if v}
        ),
    }


@requires(Capability.CHECKPOINTS_VIEW)
def board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request)
    context["hours"] = _with_bars(
        selectors.hourly(
            actor=request_actor(request), day=context["shown_day"], within=context["within"]
        )
    )
    return render(request, "checkpoints/board.html", context)


@requires(Capability.CHECKPOINTS_VIEW)
def board_rows(request: HttpRequest) -> HttpResponse:
    """The board's figures and table alone: what the page polls."""
    return render(request, "checkpoints/board_rows.html", _board_context(request))


def _with_bars(rows: list) -> list:
    """Marks each hour with the day's busiest hour's count, for the bar of a <progress>."""
    peak = max((r.figures.checks for r in rows), default=0) or 1
    for r in rows:
        r.peak = peak
    return rows


@requires(Capability.CHECKPOINTS_VIEW)
def rollup(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(actor=actor, pk=pk)
    today = timezone.localdate()
    day = today
    with contextlib.suppress(ValueError):
        day = dt.date.fromisoformat(request.GET.get("day") or "")
    day = min(day, today)
    hours = _with_bars(selectors.hourly(actor=actor, day=day, checkpoint=checkpoint))
    total = selectors.Figures()
    for h in hours:
        total.add(h.figures.as_dict())
    days = selectors.daily(
        actor=actor, start=day - dt.timedelta(days=WEEK - 1), end=day, checkpoint=checkpoint
    )
    return render(
        request,
        "checkpoints/rollup.html",
        {
            "checkpoint": checkpoint,
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < today else None,
            "hours": hours,
            "total": total,
            "days": list(reversed(days)),
        },
    )


urlpatterns: list[URLPattern] = [
    path("board/", board, name="board"),
    path("board/rows/", board_rows, name="board_rows"),
    path("<int:pk>/rollup/", rollup, name="rollup"),
]
