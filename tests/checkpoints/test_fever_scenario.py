"""Temperature checkpoints in the reference scenario: the seed's 128 per subdistrict, three
weeks of checks whose hourly figures add up to the checks, fevers carried through the
referral with the persons in the registry, and duty posts with uncovered hours."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.accounts.models import User
from epigrid.accounts.services import token_create
from epigrid.checkpoints.models import (
    Check,
    CheckHour,
    CheckPerson,
    Checkpoint,
    CheckpointPost,
    CheckResult,
)
from epigrid.quarantine.models import Alert, ReferralEvent, Trigger
from epigrid.registry.models import CategoryAssignment
from epigrid.rosters import selectors as rosters
from epigrid.rosters.models import Post
from epigrid.scenarios.builder import AS_OF
from tests.conftest import Api

pytestmark = pytest.mark.django_db

FIGURES = (
    "checkpoints",
    "checks_today",
    "vehicles_nonlocal_today",
    "fever_found_today",
    "turned_back_today",
)


def local_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def figures(*args: str) -> dict:
    out = io.StringIO()
    call_command("indicators", "--format", "json", *args, stdout=out)
    return {k: v for k, v in json.loads(out.getvalue())["indicators"].items() if k in FIGURES}


def test_the_scenario_has_128_checkpoints_and_coherent_rollups():
    call_command("scenario", "encheng", stdout=io.StringIO())
    assert Checkpoint.objects.count() == 128
    kinds = dict(Checkpoint.objects.values_list("kind").annotate(n=Count("pk")))
    assert kinds == {"city_entrance": 8, "village_entrance": 54, "compound_gate": 46, "road": 20}
    # Village entrances hold their three posts (宣传岗, 劝导岗, 跟踪岗); the others one.
    roles = CheckpointPost.objects.filter(checkpoint__kind="village_entrance")
    assert roles.count() == 54 * 3
    assert set(roles.values_list("role", flat=True)) == {"publicity", "persuasion", "tracking"}
    assert CheckpointPost.objects.exclude(checkpoint__kind="village_entrance").count() == 74

    # About three weeks of checks, 27 January to the as-of day.
    span = Check.objects.aggregate(first=Min("checked_at"), last=Max("checked_at"))
    assert span["first"].date() >= dt.date(2020, 1, 26) and span["last"] < local_end(AS_OF)
    per_day = Check.objects.count() / 128 / 21
    assert 8 <= per_day <= 30

    # The hourly figures are the checks, added up.
    sums = CheckHour.objects.aggregate(
        checks=Sum("checks"),
        persons=Sum("persons"),
        vehicles=Sum("vehicles"),
        nonlocal_vehicles=Sum("nonlocal_vehicles"),
        fevers=Sum("fevers"),
        turned_back=Sum("turned_back"),
    )
    assert sums == {
        "checks": Check.objects.count(),
        "persons": Check.objects.aggregate(n=Sum("persons"))["n"],
        "vehicles": Check.objects.filter(mode="vehicle").count(),
        "nonlocal_vehicles": Check.objects.filter(nonlocal_vehicle=True).count(),
        "fevers": CheckPerson.objects.filter(fever=True).count(),
        "turned_back": Check.objects.filter(result=CheckResult.TURNED_BACK).count(),
    }
    assert sums["nonlocal_vehicles"] > 0 and sums["turned_back"] > 0
    assert CheckPerson.objects.count() == sums["persons"]

    # The figures of the as-of day are what the scoped rollups API answers.
    code = "440785.001"
    as_of = figures("--as-of", AS_OF.isoformat(), "--jurisdiction", code)
    hq = Api(token_create(actor=SYSTEM, user=User.objects.get(username="hq_encheng")))
    (day,) = hq.get(
        "/checkpoints/rollups/daily", **{"from": AS_OF, "to": AS_OF, "within": code}
    ).json()["days"]
    assert as_of == {
        "checkpoints": 128,
        "checks_today": day["checks"],
        "vehicles_nonlocal_today": day["nonlocal_vehicles"],
        "fever_found_today": day["fevers"],
        "turned_back_today": day["turned_back"],
    }
    hourly = hq.get("/checkpoints/rollups/hourly", day=AS_OF, within=code).json()["hours"]
    assert sum(h["checks"] for h in hourly) == day["checks"]

    # Five fevers, each a person in the registry with the key-person category and an alert
    # carried through the referral; the as-of day's one still being seen to.
    alerts = Alert.objects.filter(trigger=Trigger.CHECKPOINT_FEVER)
    assert alerts.count() == 5 and not alerts.filter(case__isnull=False).exists()
    fever_persons = set(CheckPerson.objects.filter(fever=True).values_list("person_id", flat=True))
    assert None not in fever_persons and len(fever_persons) == 5
    assert set(alerts.values_list("person_id", flat=True)) == fever_persons
    assert (
        CategoryAssignment.objects.filter(category__code="fever", person__in=fever_persons).count()
        == 5
    )
    (retested,) = [a for a in alerts if a.detail.count("°C") == 2]
    assert retested.closed_at is not None
    (still_open,) = alerts.filter(closed_at__isnull=True)
    assert timezone.localtime(still_open.raised_at).date() == AS_OF
    assert list(
        ReferralEvent.objects.filter(alert=still_open).order_by("at").values_list("step", flat=True)
    ) == ["reported", "isolated"]
    for alert in alerts.filter(closed_at__isnull=False):
        steps = ReferralEvent.objects.filter(alert=alert).order_by("at")
        assert [s.step for s in steps] == ["reported", "isolated", "transported", "diagnosed"]
        assert alert.outcome == "excluded" == steps.last().diagnosis
        assert steps.first().at == alert.raised_at

    # Duty rotation: the posts have shifts, and a few night shifts of the as-of day nobody.
    start = local_end(AS_OF - dt.timedelta(days=1))
    posts = Post.objects.filter(pk__in=CheckpointPost.objects.values("post_id"))
    gaps = rosters.gaps_by_post(posts=posts, start=start, end=local_end(AS_OF))
    uncovered = [post for post, found in gaps.items() if found]
    assert len(gaps) == 236 and 0 < len(uncovered) < 236


def test_at_scale_two_each_subdistrict_is_encheng_and_the_city_twice_that():
    call_command("scenario", "encheng", "--scale", "2", stdout=io.StringIO())
    one = figures("--as-of", AS_OF.isoformat(), "--jurisdiction", "440785.001")
    two = figures("--as-of", AS_OF.isoformat(), "--jurisdiction", "440785.002")
    city = figures("--as-of", AS_OF.isoformat())
    assert one == two and one["checkpoints"] == 128 and one["checks_today"] > 0
    assert city == {k: 2 * v for k, v in one.items()}
    assert Alert.objects.filter(trigger=Trigger.CHECKPOINT_FEVER).count() == 10
    by_sub = Check.objects.aggregate(
        a=Count("pk", filter=Q(jpath__startswith="440785.001.")),
        b=Count("pk", filter=Q(jpath__startswith="440785.002.")),
    )
    assert by_sub["a"] == by_sub["b"] > 0
