"""Home quarantine in the reference scenario: the seed's 16 of 161, with a history behind them
that the scoped API lists count the same way the figures do."""

import io
import json

import pytest
from django.core.management import call_command

from epigrid.accounts.access import SYSTEM
from epigrid.accounts.models import User
from epigrid.accounts.services import token_create
from epigrid.quarantine.models import (
    Alert,
    AlertOutcome,
    FollowUp,
    FollowUpSlot,
    ObservationCase,
    ReferralEvent,
    Trigger,
)
from tests.conftest import Api

CODE = "440785.001"


def figures(*args: str) -> dict:
    out = io.StringIO()
    call_command("indicators", "--format", "json", "--jurisdiction", CODE, *args, stdout=out)
    return json.loads(out.getvalue())["indicators"]


@pytest.mark.django_db
def test_the_quarantine_figures_are_what_the_lists_count():
    call_command("scenario", "encheng", stdout=io.StringIO())
    as_of = figures("--as-of", "2020-02-16")
    hq = Api(token_create(actor=SYSTEM, user=User.objects.get(username="hq_encheng")))

    cases = hq.all("/quarantine/cases", within=CODE, regime="home_quarantine", limit=100)
    assert as_of["quarantine_needed"] == len({c["person_id"] for c in cases}) == 16
    assert as_of["quarantine_active"] == 16
    # Every one of them came from an epidemic source area.
    assert {c["reason"] for c in cases} == {"source_area"}

    # Two weeks of follow-ups: most slots up to the as-of day done, a few missed.
    past = FollowUpSlot.objects.filter(day__lte="2020-02-16")
    done = past.filter(done_at__isnull=False).count()
    assert done == FollowUp.objects.count() > 0.9 * past.count()
    assert past.filter(done_at__isnull=True).exists()

    # One fever carried to a diagnosis outcome; one still being seen to.
    fever = hq.all("/quarantine/alerts", within=CODE, trigger="fever", limit=100)
    closed = [a for a in fever if a["outcome"]]
    assert [a["outcome"] for a in closed] == [AlertOutcome.EXCLUDED]
    steps = ReferralEvent.objects.filter(alert_id=closed[0]["id"]).order_by("at")
    assert [s.step for s in steps] == ["reported", "isolated", "transported", "diagnosed"]
    assert steps.last().diagnosis == "excluded"
    open_fever = hq.all("/quarantine/alerts", within=CODE, open_only="true", trigger="fever")
    assert as_of["fever_alerts_open"] == len(open_fever) == 1
    # Two missed in a row raised their alert.
    assert Alert.objects.filter(trigger=Trigger.MISSED_SLOTS).exists()

    requests = hq.all("/quarantine/assistance", within=CODE, open_only="true", limit=100)
    assert as_of["assistance_open"] == len(requests) == 2
    assert ObservationCase.objects.filter(team__isnull=True).count() == 0
