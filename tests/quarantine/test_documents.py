"""The printable notices: Chinese, the right person, dates, grid, team and subdistrict, the
policy's observation days; each read audited; the release notice only once released."""

import datetime as dt

import pytest
from django.utils import timezone

from epigrid.audit.models import AuditEvent
from epigrid.quarantine.models import EndReason, ObservationCase
from epigrid.registry.masking import mask_doc_number

from .world import make_case

pytestmark = pytest.mark.django_db


def notice(case) -> str:
    return f"/quarantine/cases/{case.pk}/notice/"


def release(case) -> str:
    return f"/quarantine/cases/{case.pk}/release/"


def _close(case, reason, day):
    closed = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    ObservationCase.objects.filter(pk=case.pk).update(closed_at=closed, end_reason=reason)


def test_the_home_quarantine_notice(world, web):
    case = make_case(world, name="李四", start=dt.date(2020, 2, 3))
    response = web("worker_a").get(notice(case))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<h1 class="doc-title">居家隔离告知书</h1>' in html
    assert 'data-testid="name">李四<' in html
    assert case.person.doc_number in html  # a grid worker of the grid sees ID numbers
    assert 'data-testid="start">2020年2月3日<' in html
    assert 'data-testid="last-day">2020年2月16日<' in html
    assert "于2020年2月17日解除居家隔离" in html
    assert 'data-testid="policy-days">14<' in html
    assert "恩城街道锦岗村锦岗村第1网格" in html
    assert "grid_a 三人小组" in html
    assert "grid_a-family_doctor" in html and "家庭医生" in html
    assert "10:00、17:00" in html and "≥37.3°C" in html
    assert "恩城街道新型冠状病毒肺炎疫情防控指挥部" in html
    assert "quarantine/print.css" in html
    event = AuditEvent.objects.get(action="case.document")
    assert event.actor_username == "worker_a" and event.entity_id == str(case.pk)
    assert event.after == {"document": "notice"} and event.jpath == case.jpath


def test_the_notice_is_chinese_whatever_the_readers_language(world, web):
    case = make_case(world)
    client = web("hq")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(notice(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "居家隔离告知书" in html and "被告知人" in html


def test_an_analyst_sees_the_id_number_masked(world, web):
    case = make_case(world)
    html = web("analyst").get(notice(case)).content.decode()
    assert case.person.doc_number not in html
    assert mask_doc_number(case.person.doc_number) in html


def test_the_notice_follows_the_regime_and_the_cases_policy(world, web):
    from epigrid.policy.selectors import policy_snapshot
    from epigrid.quarantine import rules

    policy = policy_snapshot(rules.POLICY_KEYS, dt.date(2020, 2, 3))
    policy.update(observation_days=21, fever_inclusive=False, followup_deadlines=["09:00"])
    case = make_case(world, regime="home_observation", policy=policy, days=21)
    html = web("hq").get(notice(case)).content.decode()
    assert "居家健康观察告知书" in html
    assert 'data-testid="policy-days">21<' in html and "共21天" in html
    assert "每天测量体温1次" in html and "&gt;37.3°C" in html and "≥" not in html


def test_the_release_notice_once_the_period_is_over(world, web):
    over = make_case(world, name="王五", start=dt.date(2020, 2, 3))  # released 17 Feb 2020
    response = web("worker_a").get(release(over))
    assert response.status_code == 200
    html = response.content.decode()
    assert "解除居家隔离告知书" in html and 'data-testid="name">王五<' in html
    assert 'data-testid="release-on">2020年2月17日<' in html
    assert AuditEvent.objects.get(action="case.document").after == {"document": "release"}


def test_the_release_notice_of_a_case_closed_as_completed(world, web):
    case = make_case(world, start=timezone.localdate() - dt.timedelta(days=13))
    assert web("hq").get(release(case)).status_code == 409
    _close(case, EndReason.COMPLETED, timezone.localdate())
    html = web("hq").get(release(case)).content.decode()
    assert "解除居家隔离告知书" in html


def test_no_release_notice_before_the_end_or_for_another_ending(world, web):
    running = make_case(world, start=timezone.localdate())
    response = web("hq").get(release(running))
    assert response.status_code == 409
    assert 'data-testid="release-unavailable"' in response.content.decode()
    referred = make_case(world, name="转诊者", start=dt.date(2020, 2, 3))
    _close(referred, EndReason.REFERRED, dt.date(2020, 2, 8))
    response = web("hq").get(release(referred))
    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="case.document").exists()
    # The home-quarantine notice of the referred case still prints.
    assert web("hq").get(notice(referred)).status_code == 200


def test_documents_are_for_those_who_see_the_case(world, web):
    case = make_case(world)
    for url in (notice(case), release(case)):
        assert web("worker_b").get(url).status_code == 404
        response = web(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert web("worker_a").post(url).status_code == 405
    assert not AuditEvent.objects.filter(action="case.document").exists()


def test_hostile_names_are_escaped_in_documents(world, web):
    case = make_case(world, name="<script>alert(1)</script>")
    html = web("hq").get(notice(case)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
