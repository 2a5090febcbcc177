"""The rental sweep of the reference scenario: the seed's figures, and the same numbers from
the scoped API lists and the coverage view."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.accounts.models import User
from epigrid.accounts.services import token_create
from epigrid.sweeps.models import Campaign, CampaignUnit, Visit, VisitPerson

from .conftest import Api


@pytest.mark.django_db
def test_the_sweep_figures_are_what_the_lists_count():
    call_command("scenario", "encheng", stdout=io.StringIO())
    out = io.StringIO()
    call_command("indicators", "--format", "json", "--as-of", "2020-02-16", stdout=out)
    figures = json.loads(out.getvalue())["indicators"]
    assert (figures["sweep_visits"], figures["rental_houses_inspected"]) == (9359, 4670)

    campaign = Campaign.objects.get()
    assert campaign.starts_on == dt.date(2020, 2, 3)
    assert not CampaignUnit.objects.filter(
        assignee_staff__isnull=True, assignee_team__isnull=True
    ).exists()
    first, last = (
        timezone.localtime(v).date()
        for v in (
            Visit.objects.earliest("visited_at").visited_at,
            Visit.objects.latest("visited_at").visited_at,
        )
    )
    assert dt.date(2020, 2, 3) <= first <= last <= dt.date(2020, 2, 16)
    assert VisitPerson.objects.count() == figures["tenants_registered"] == 7943
    # Every dispatch went to the unit's own grid.
    assert not Visit.objects.exclude(visited_by__jpath=F("jpath")).exists()

    hq = Api(token_create(actor=SYSTEM, user=User.objects.get(username="hq_encheng")))
    visits = hq.get("/sweeps/visits", limit=500)
    assert visits.status_code == 200
    assert len(hq.all("/sweeps/visits", limit=500)) == figures["sweep_visits"]
    coverage = hq.get(f"/sweeps/campaigns/{campaign.pk}/coverage").json()
    totals = coverage["totals"]
    assert totals["inspected"] == figures["rental_houses_inspected"]
    # "No one missed" is not claimed: the units where nobody was ever home are named.
    assert totals["units"] == 4695 and totals["gap"] == 25 == totals["nobody_home_only"]
    gap = hq.all(f"/sweeps/campaigns/{campaign.pk}/units", status="gap", limit=500)
    assert len(gap) == 25 and all(u["last_outcome"] == "nobody_home" for u in gap)

    # The demo grid worker has a list of the day and sees their grid's coverage.
    worker = Api(token_create(actor=SYSTEM, user=User.objects.get(username="worker_a")))
    assert worker.get("/sweeps/today").status_code == 200
    mine = worker.get(f"/sweeps/campaigns/{campaign.pk}/coverage").json()
    assert len(mine["items"]) == 1 and mine["totals"]["units"] > 0
