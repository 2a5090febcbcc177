"""The self-report link: issuing stores only a hash, re-issuing and revoking kill the old
link, a report through the link records a follow-up of the current slot (and a fever one an
alert), and a wrong, revoked or closed-case token answers 404 and records nothing."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from epigrid.audit.models import AuditEvent
from epigrid.policy.selectors import policy_snapshot
from epigrid.quarantine import rules
from epigrid.quarantine.models import (
    Alert,
    EndReason,
    FollowUp,
    FollowUpSlot,
    Method,
    ObservationCase,
    Trigger,
)
from epigrid.quarantine.selectors.selfreport import current_slot, masked_name
from epigrid.quarantine.services import selfreport as services

from .world import local, make_case

pytestmark = pytest.mark.django_db
DAY = dt.date(2020, 2, 10)
NOW = local(DAY, 9, 0)


@pytest.fixture
def clock(monkeypatch):
    """Fixes the clock at 09:00 on 10 Feb 2020, a week into a case started on 3 Feb."""
    state = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


def issued(world, case, actor="worker_a") -> str:
    return services.selfreport_issue(actor=world.actor(actor), case=case)


def page(token: str) -> str:
    return f"/quarantine/r/{token}/"


def recorded() -> tuple[int, int, int]:
    return (
        FollowUp.objects.count(),
        FollowUpSlot.objects.exclude(done_at=None).count(),
        (Alert.objects.count()),
    )


def post_report(client: Client, token: str, **data):
    """GETs the page (which sets the CSRF cookie), then posts the form with its token."""
    response = client.get(page(token))
    assert response.status_code == 200
    csrf = client.cookies["csrftoken"].value
    body = {"csrfmiddlewaretoken": csrf, "site": "axillary", **data}
    return client.post(page(token), body)


# --- issue and revoke ---------------------------------------------------------------------


def test_issue_stores_only_a_hash_and_audits_without_the_secret(world, clock):
    case = make_case(world)
    token = issued(world, case)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    case.refresh_from_db()
    assert case.selfreport_hash == hashlib.sha256(token.encode()).hexdigest()
    assert case.selfreport_created_at == NOW
    event = AuditEvent.objects.get(action="selfreport.issue")
    assert event.actor_username == "worker_a" and event.jpath == case.jpath
    assert event.after == {"issued_at": NOW.isoformat(), "replaced_previous": False}
    stored = str(list(AuditEvent.objects.values_list("before", "after")))
    assert token not in stored and case.selfreport_hash not in stored


def test_reissue_replaces_the_old_link(world, clock):
    case = make_case(world)
    old = issued(world, case)
    new = issued(world, case)
    assert old != new
    assert Client().get(page(old)).status_code == 404
    assert Client().get(page(new)).status_code == 200
    assert AuditEvent.objects.filter(action="selfreport.issue").last().after["replaced_previous"]


def test_revoke_kills_the_link(world, clock):
    case = make_case(world)
    token = issued(world, case)
    services.selfreport_revoke(actor=world.actor("worker_a"), case=case)
    case.refresh_from_db()
    assert case.selfreport_hash == "" and case.selfreport_created_at is None
    assert Client().get(page(token)).status_code == 404
    assert AuditEvent.objects.filter(action="selfreport.revoke").count() == 1
    # Nothing left to revoke: refused, nothing written.
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.selfreport_revoke(actor=world.actor("worker_a"), case=case)
    assert AuditEvent.objects.count() == before


def test_links_are_refused_on_closed_cases_and_outside_ones_area(world, clock):
    case = make_case(world)
    with pytest.raises(Http404):
        issued(world, case, "worker_b")
    with pytest.raises(PermissionDenied):
        issued(world, case, "analyst")
    token = issued(world, case)
    with pytest.raises(Http404):
        services.selfreport_revoke(actor=world.actor("worker_b"), case=case)
    ObservationCase.objects.filter(pk=case.pk).update(closed_at=NOW, end_reason=EndReason.COMPLETED)
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        issued(world, case)
    # The closed case's link answers 404 though it was never revoked.
    assert Client().get(page(token)).status_code == 404
    assert ObservationCase.objects.get(pk=case.pk).selfreport_hash != ""


# --- the public page ----------------------------------------------------------------------


def test_the_page_shows_nothing_personal_but_a_first_character(world, clock):
    case = make_case(world, name="王小明", phone="13912345678")
    person = case.person
    token = issued(world, case)
    response = Client().get(page(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "王**" in html
    for secret in ("王小明", "小明", person.doc_number, person.doc_number[-6:], "13912345678"):
        assert secret not in html
    assert world.nodes["grid_a"].name not in html
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    # The slot of now and one checkbox per symptom of the case's policy.
    assert 'data-testid="slot"' in html and "10:00" in html
    for symptom in rules.symptom_list(case.policy):
        assert f'value="{symptom["code"]}"' in html


def test_masked_name():
    assert masked_name("王小明") == "王**"
    assert masked_name("欧阳娜娜") == "欧**"
    assert masked_name("John Smith") == "J**"
    assert masked_name("") == "**"


def test_a_report_records_a_self_report_for_the_current_slot(world, clock):
    case = make_case(world)
    token = issued(world, case)
    slot = current_slot(case, NOW)
    assert (slot.day, slot.number) == (DAY, 1)
    client = Client(enforce_csrf_checks=True)
    response = post_report(client, token, temperature="36.6")
    assert response.status_code == 302 and response["Location"] == page(token) + "?done=1"
    followup = FollowUp.objects.get()
    assert followup.method == Method.SELF_REPORT and followup.result == "well"
    assert str(followup.temperature) == "36.6" and followup.site == "axillary"
    assert followup.slot == slot and followup.staff is None and followup.recorded_by is None
    assert followup.taken_at == NOW
    slot.refresh_from_db()
    assert slot.done_at == NOW and slot.followup == followup
    assert AuditEvent.objects.get(action="followup.record").actor_username == "system"
    thanks = client.get(response["Location"])
    assert 'data-testid="thanks"' in thanks.content.decode()
    assert Alert.objects.count() == 0


def test_a_ticked_symptom_makes_the_report_unwell(world, clock):
    case = make_case(world)
    token = issued(world, case)
    post_report(Client(), token, temperature="36.8", symptoms=["cough", "fatigue"])
    followup = FollowUp.objects.get()
    assert followup.result == "unwell" and followup.symptoms == ["cough", "fatigue"]


def test_a_fever_reported_by_the_family_raises_one_alert(world, clock):
    case = make_case(world)
    token = issued(world, case)
    response = post_report(Client(), token, temperature="38.2")
    assert response.status_code == 302
    followup = FollowUp.objects.get()
    assert followup.result == "unwell"
    alert = Alert.objects.get()
    assert alert.trigger == Trigger.FEVER and alert.case == case and alert.followup == followup


def test_an_impossible_reading_is_refused_and_nothing_recorded(world, clock):
    case = make_case(world)
    token = issued(world, case)
    response = post_report(Client(HTTP_ACCEPT_LANGUAGE="en"), token, temperature="45")
    assert response.status_code == 200
    assert "between 34.0 and 43.0" in response.content.decode()
    response = post_report(Client(HTTP_ACCEPT_LANGUAGE="en"), token, temperature="")
    assert "Enter the temperature you measured." in response.content.decode()
    response = post_report(Client(), token, temperature="36.5", symptoms=["made_up"])
    assert response.status_code == 200
    assert recorded() == (0, 0, 0)


@pytest.mark.parametrize(
    "token",
    [
        "A" * 32,  # well formed, unknown
        "short",
        "x" * 65,
        "bad%20chars-----------------------",
    ],
)
def test_a_wrong_token_answers_404_and_records_nothing(world, clock, token):
    case = make_case(world)
    issued(world, case)
    client = Client()
    assert client.get(page(token)).status_code == 404
    assert client.post(page(token), {"temperature": "36.5", "site": "axillary"}).status_code in (
        403,
        404,
    )
    assert (
        Client(enforce_csrf_checks=False)
        .post(page(token), {"temperature": "36.5", "site": "axillary"})
        .status_code
        == 404
    )
    assert recorded() == (0, 0, 0)


def test_a_revoked_or_closed_cases_token_records_nothing(world, clock):
    case = make_case(world)
    token = issued(world, case)
    client = Client()
    client.get(page(token))
    services.selfreport_revoke(actor=world.actor("worker_a"), case=case)
    response = client.post(page(token), {"temperature": "36.5", "site": "axillary"})
    assert response.status_code == 404
    other = make_case(world, name="隔离乙")
    token2 = issued(world, other)
    ObservationCase.objects.filter(pk=other.pk).update(closed_at=NOW, end_reason="completed")
    assert Client().post(page(token2), {"temperature": "36.5"}).status_code == 404
    assert recorded() == (0, 0, 0)


def test_a_case_not_yet_started_shows_no_form(world, clock):
    case = make_case(world, start=DAY + dt.timedelta(days=2))
    token = issued(world, case)
    html = Client().get(page(token)).content.decode()
    assert 'data-testid="no-slot"' in html and '<form method="post" novalidate>' not in html


def test_one_link_cannot_flood(world, clock, settings):
    settings.SELFREPORT_THROTTLE_POSTS = 2
    case = make_case(world)
    token = issued(world, case)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert post_report(client, token, temperature="45").status_code == 200
    assert post_report(client, token, temperature="45").status_code == 200
    response = post_report(client, token, temperature="36.5")
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()
    assert recorded() == (0, 0, 0)
    # Another case's link is not held back.
    other = issued(world, make_case(world, name="隔离乙"))
    assert post_report(Client(), other, temperature="36.5").status_code == 302


def test_hostile_strings_are_escaped(world, clock):
    policy = policy_snapshot(rules.POLICY_KEYS, dt.date(2020, 2, 3))
    policy["symptoms"] = [
        {"code": "evil", "zh": "<img src=x onerror=alert(1)>", "en": "<b>bold</b>"},
        *policy["symptoms"],
    ]
    case = make_case(world, name="<script>x", policy=policy)
    html = Client().get(page(issued(world, case))).content.decode()
    assert "<script>x" not in html and "&lt;**" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# --- the API ------------------------------------------------------------------------------


def test_the_api_endpoint_takes_only_the_token_and_a_reading(world, clock, api):
    case = make_case(world)
    token = issued(world, case)
    anon = api(None)
    response = anon.send("POST", f"/quarantine/selfreport/{token}", {"temperature": 38.5})
    assert response.status_code == 201, response.content
    assert response.json() == {"received_at": "2020-02-10T09:00:00+08:00", "result": "unwell"}
    followup = FollowUp.objects.get()
    assert followup.method == Method.SELF_REPORT and followup.site == "axillary"
    assert Alert.objects.filter(case=case, trigger=Trigger.FEVER).count() == 1
    # Nothing else of the case comes back, not even its id.
    assert str(case.pk) not in response.content.decode().replace("2020-02-10T09:00:00", "")


def test_the_api_refuses_wrong_tokens_and_bad_readings(world, clock, api):
    case = make_case(world)
    token = issued(world, case)
    anon = api(None)
    assert (
        anon.send("POST", "/quarantine/selfreport/" + "A" * 32, {"temperature": 36.5}).status_code
        == 404
    )
    assert anon.send("POST", "/quarantine/selfreport/x", {"temperature": 36.5}).status_code == 404
    response = anon.send("POST", f"/quarantine/selfreport/{token}", {"temperature": 33})
    assert response.status_code == 422
    assert "temperature" in response.json()["errors"]
    response = anon.send(
        "POST", f"/quarantine/selfreport/{token}", {"temperature": 36.5, "symptoms": ["nope"]}
    )
    assert response.status_code == 422
    assert anon.send("POST", f"/quarantine/selfreport/{token}", {}).status_code == 422
    assert recorded() == (0, 0, 0)


def test_the_api_is_throttled_per_link(world, clock, api, settings):
    settings.SELFREPORT_THROTTLE_POSTS = 1
    token = issued(world, make_case(world))
    anon = api(None)
    assert (
        anon.send("POST", f"/quarantine/selfreport/{token}", {"temperature": 50}).status_code == 422
    )
    response = anon.send("POST", f"/quarantine/selfreport/{token}", {"temperature": 36.5})
    assert response.status_code == 429 and "上报次数过多" in response.json()["detail"]
    assert recorded() == (0, 0, 0)


def test_staff_issue_and_revoke_links_over_the_api(world, clock, api):
    case = make_case(world)
    worker = api("worker_a")
    response = worker.send("POST", f"/quarantine/cases/{case.pk}/selfreport-link")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"].endswith(f"/quarantine/r/{body['token']}/")
    assert Client().get(page(body["token"])).status_code == 200
    assert (
        api("worker_b").send("POST", f"/quarantine/cases/{case.pk}/selfreport-link").status_code
        == 404
    )
    assert (
        api("analyst").send("POST", f"/quarantine/cases/{case.pk}/selfreport-link").status_code
        == 403
    )
    assert api(None).send("POST", f"/quarantine/cases/{case.pk}/selfreport-link").status_code == 401
    assert (
        api("worker_b").send("DELETE", f"/quarantine/cases/{case.pk}/selfreport-link").status_code
        == 404
    )
    assert worker.send("DELETE", f"/quarantine/cases/{case.pk}/selfreport-link").status_code == 204
    assert Client().get(page(body["token"])).status_code == 404
    assert worker.send("DELETE", f"/quarantine/cases/{case.pk}/selfreport-link").status_code == 422
