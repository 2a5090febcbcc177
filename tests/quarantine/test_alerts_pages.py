"""The alert pages: the list (open first, red badges, filters), one alert with its referral
timeline and the forms that carry it, the jurisdiction panel and the case section; hostile
strings stay text."""

import pytest
from django.template.loader import render_to_string

from epigrid.quarantine.models import Alert, AlertOutcome, ReferralEvent
from epigrid.quarantine.selectors.escalation import alerts_for_case
from epigrid.quarantine.services.escalation import referral_record

from .alerts_world import DAY, fever_alert
from .world import local

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def alerts(world):
    a = fever_alert(world, grid="grid_a", name="甲一")
    closed = fever_alert(world, grid="grid_a", name="甲二")
    Alert.objects.filter(pk=closed.pk).update(
        closed_at=local(DAY, 12), outcome=AlertOutcome.RECHECK_NORMAL
    )
    b = fever_alert(world, grid="grid_b", name="乙一")
    return {"a": a, "closed": closed, "b": b}


def _detail(alert):
    return f"/quarantine/alerts/{alert.pk}/"


def test_the_list_shows_open_alerts_first_with_red_badges(world, web, alerts):
    response = web("worker_a").get("/quarantine/alerts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲一" in html and "甲二" in html and "乙一" not in html
    assert html.index("甲一") < html.index("甲二")  # open before closed
    assert html.count('data-testid="open-badge"') == 1
    assert 'class="badge off" data-testid="open-count"' in html
    filtered = web("worker_a").get("/quarantine/alerts/?open=1").content.decode()
    assert "甲一" in filtered and "甲二" not in filtered
    assert (
        web("worker_a")
        .get("/quarantine/alerts/?trigger=missed_slots")
        .content.decode()
        .count("data-alert=")
        == 0
    )
    assert (
        web("worker_a").get(f"/quarantine/alerts/?within={world.nodes['grid_b'].code}").status_code
        == 404
    )
    # Nonsense filters are ignored, a broken page link starts over.
    assert web("worker_a").get("/quarantine/alerts/?trigger=x&since=y").status_code == 200
    assert web("worker_a").get("/quarantine/alerts/?cursor=zz").status_code == 302


def test_hq_sees_every_alert(web, alerts):
    html = web("hq").get("/quarantine/alerts/").content.decode()
    assert all(name in html for name in ("甲一", "甲二", "乙一"))


def test_the_detail_page_shows_the_timeline_and_the_forms(world, web, alerts):
    alert = alerts["a"]
    referral_record(
        actor=world.actor("worker_a"), alert=alert, step="reported", at=local(DAY, 9, 45)
    )
    referral_record(
        actor=world.actor("worker_a"), alert=alert, step="isolated", at=local(DAY, 10, 15)
    )
    html = web("worker_a").get(_detail(alert)).content.decode()
    assert 'data-testid="referral-timeline"' in html
    assert "2020-02-03 09:45" in html and "2020-02-03 10:15" in html
    assert 'data-testid="referral-form"' in html and 'data-testid="close-form"' in html
    assert 'value="reported"' not in html  # only the steps that may come next are offered
    analyst = web("analyst").get(_detail(alert)).content.decode()
    assert "2020-02-03 09:45" in analyst
    assert (
        'data-testid="referral-form"' not in analyst and 'data-testid="close-form"' not in analyst
    )
    closed = web("worker_a").get(_detail(alerts["closed"])).content.decode()
    assert 'data-testid="close-form"' not in closed and 'data-testid="outcome"' in closed
    assert web("worker_b").get(_detail(alert)).status_code == 404
    assert web(None).get(_detail(alert)).status_code == 302


def test_recording_steps_and_closing_through_the_pages(world, web, alerts):
    alert = alerts["a"]
    client = web("worker_a")
    url = f"/quarantine/alerts/{alert.pk}/"
    response = client.post(url + "referral/", {"step": "reported", "at": "2020-02-03T09:50"})
    assert response.status_code == 302 and response["Location"] == url
    response = client.post(
        url + "referral/", {"step": "diagnosed", "at": "2020-02-03T13:00", "diagnosis": "excluded"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    response = client.post(url + "close/", {"outcome": "excluded", "version": alert.version})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.outcome == "excluded" and alert.closed_by == world.users["worker_a"]
    html = client.get(url).content.decode()
    assert "2020-02-03 09:50" in html and "2020-02-03 13:00" in html


def test_refusals_show_on_the_page_and_change_nothing(world, web, alerts):
    alert = alerts["a"]
    client = web("worker_a")
    url = f"/quarantine/alerts/{alert.pk}/"
    response = client.post(url + "close/", {"outcome": "", "version": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be closed without an outcome" in html or "预警必须有结果才能关闭" in html
    response = client.post(url + "referral/", {"step": "isolated", "at": "2020-02-03T10:00"})
    assert response.status_code == 200
    response = client.post(url + "referral/", {"step": "reported", "at": "not a time"})
    assert response.status_code == 200
    response = client.post(url + "close/", {"outcome": "recheck_normal", "version": "x"})
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.closed_at is None and alert.version == 1
    assert not ReferralEvent.objects.exists()
    # A close against a version someone else moved on is a conflict, shown on the page.
    referral_record(actor=world.actor("hq"), alert=alert, step="reported", at=local(DAY, 10))
    response = client.post(url + "close/", {"outcome": "recheck_normal", "version": 1})
    assert response.status_code == 200
    assert (
        "Someone else changed" in response.content.decode() or "他人" in response.content.decode()
    )
    # On a closed alert the forms are gone; the refusal shows as a message.
    closed_url = f"/quarantine/alerts/{alerts['closed'].pk}/"
    response = client.post(closed_url + "referral/", {"step": "reported", "at": "2020-02-03T10:30"})
    assert response.status_code == 200
    assert "closed" in response.content.decode() or "关闭" in response.content.decode()


def test_writes_through_pages_need_the_capability(world, web, alerts):
    url = f"/quarantine/alerts/{alerts['a'].pk}/"
    body = {"outcome": "recheck_normal", "version": 1}
    assert web("analyst").post(url + "close/", body).status_code == 403
    assert web("worker_b").post(url + "close/", body).status_code == 404
    assert web(None).post(url + "close/", body).status_code == 302
    assert web("worker_a").get(url + "close/").status_code == 405
    assert Alert.objects.get(pk=alerts["a"].pk).closed_at is None


def test_hostile_strings_are_escaped(world, web):
    alert = fever_alert(world, grid="grid_a", name=HOSTILE[:40])
    referral_record(
        actor=world.actor("worker_a"),
        alert=alert,
        step="reported",
        at=local(DAY, 9, 45),
        note=HOSTILE[:200],
    )
    alert.refresh_from_db()
    web("worker_a").post(
        f"/quarantine/alerts/{alert.pk}/close/",
        {"outcome": "recheck_normal", "note": HOSTILE, "version": alert.version},
    )
    assert Alert.objects.get(pk=alert.pk).close_note == HOSTILE
    pages = [
        "/quarantine/alerts/",
        f"/quarantine/alerts/{alert.pk}/",
    ]
    for page in pages:
        html = web("hq").get(page).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;" in html, page
    section = render_to_string(
        "quarantine/_case_alerts.html",
        {"case_alerts": alerts_for_case(actor=world.actor("hq"), case=alert.case)},
    )
    assert "<script>alert" not in section and "&lt;script&gt;" in section


def test_the_jurisdiction_page_shows_open_alerts(world, web, alerts):
    html = web("secretary").get(f"/grids/{world.nodes['village_a'].code}/").content.decode()
    assert 'data-testid="panel-alerts"' in html
    assert "甲一" in html and "甲二" not in html  # open ones only
    html = web("worker_b").get(f"/grids/{world.nodes['grid_b'].code}/").content.decode()
    assert "乙一" in html and "甲一" not in html
    quiet = web("hq").get(f"/grids/{world.nodes['community_c'].code}/").content.decode()
    assert 'data-testid="panel-alerts"' in quiet and "data-alert=" not in quiet


def test_the_case_section_lists_the_cases_alerts(world, alerts):
    case = alerts["a"].case
    html = render_to_string(
        "quarantine/_case_alerts.html",
        {"case_alerts": alerts_for_case(actor=world.actor("worker_a"), case=case)},
    )
    assert f'data-alert="{alerts["a"].pk}"' in html and 'data-testid="open-badge"' in html
    assert alerts_for_case(actor=world.actor("worker_b"), case=case) == []
    empty = render_to_string("quarantine/_case_alerts.html", {"case_alerts": []})
    assert 'data-testid="case-alerts"' in empty
