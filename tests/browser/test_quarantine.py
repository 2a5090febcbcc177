"""Home quarantine on a 360 px phone: a team member works through today's list and records a
fever, headquarters sees the alert appear; a family reports through the self-report link."""

import pytest
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.quarantine.models import Alert, FollowUp, Method, Trigger
from epigrid.quarantine.services.selfreport import selfreport_issue
from tests.quarantine.world import link_logins, make_case

from .conftest import PHONE

pytestmark = pytest.mark.browser

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_team_member_records_a_fever_and_headquarters_sees_the_alert(live_world, browse):
    link_logins(live_world)
    today = timezone.localdate()
    case = make_case(live_world, name="隔离发热", start=today, opened_at=None)
    b = browse(viewport=PHONE)
    page = b.page
    b.login("worker_a")
    assert b.goto("/quarantine/worklist/").status == 200
    cards = page.locator("[data-testid=worklist] > li[data-slot]")
    assert cards.count() >= 1
    assert "隔离发热" in cards.first.inner_text()
    assert page.evaluate(FITS), "the worklist scrolls sideways on a 360 px phone"
    b.shot("01-worklist")

    cards.first.locator("[data-testid=record-link]").click()
    page.wait_for_url(f"**/quarantine/cases/{case.pk}/followup/**")
    page.check("input[name=method][value=video]")
    page.check("input[name=result][value=unwell]")
    page.fill("#id_temperature", "38.2")
    page.check("input[name=symptoms][value=cough]")
    assert page.evaluate(FITS), "the follow-up form scrolls sideways on a 360 px phone"
    b.shot("02-followup-form")
    page.click("[data-testid=save-followup]")
    page.wait_for_load_state()
    b.shot("03-after-save")

    followup = FollowUp.objects.get(case=case)
    assert (str(followup.temperature), followup.method) == ("38.2", Method.VIDEO)
    alert = Alert.objects.get(case=case)
    assert alert.trigger == Trigger.FEVER and alert.is_open

    hq = browse(viewport=PHONE)
    hq.login("hq")
    assert hq.goto("/quarantine/alerts/?open_only=1").status == 200
    listed = hq.page.locator("[data-testid=alert-list]")
    assert "隔离发热" in listed.inner_text()
    assert "38.2" in listed.inner_text()
    hq.shot("04-hq-alerts")


def test_a_family_reports_through_the_self_report_link(live_world, browse):
    today = timezone.localdate()
    case = make_case(live_world, name="王小明", start=today, phone="13800138999")
    token = selfreport_issue(actor=SYSTEM, case=case)
    b = browse(viewport=PHONE)
    page = b.page
    assert b.goto(f"/quarantine/r/{token}/").status == 200
    html = page.content()
    assert "王小明" not in html and "13800138999" not in html and case.person.doc_number not in html
    assert page.evaluate(FITS)
    b.shot("01-selfreport")
    page.fill("#id_temperature", "36.6")
    page.click("[data-testid=submit]")
    page.locator("[data-testid=thanks]").wait_for()
    b.shot("02-thanks")
    reported = FollowUp.objects.get(case=case)
    assert reported.method == Method.SELF_REPORT and str(reported.temperature) == "36.6"

    # A wrong link shows nothing and records nothing.
    assert b.goto(f"/quarantine/r/{token[:-2]}xx/").status == 404
    assert FollowUp.objects.filter(case=case).count() == 1
