"""The staff page of the self-report link: issue shows the link and its QR code once (the
secret is not stored), revoke kills it; the case page's section renders from its selector."""

import re
import urllib.parse

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from epigrid.quarantine.models import ObservationCase
from epigrid.quarantine.selectors.selfreport import case_selfreport, token_hash

from .world import make_case

pytestmark = pytest.mark.django_db


def manage(case) -> str:
    return f"/quarantine/cases/{case.pk}/selfreport/"


def test_issue_shows_the_link_and_its_qr_code_once(world, web):
    case = make_case(world, name="王小明")
    client = web("worker_a")
    html = client.get(manage(case)).content.decode()
    assert 'data-testid="link-state"' in html and 'data-testid="issue"' in html
    response = client.post(manage(case), {"action": "issue"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    link = re.search(r'data-testid="link">([^<]+)<', html).group(1)
    token = re.fullmatch(r"http://testserver/quarantine/r/([A-Za-z0-9_-]+)/", link).group(1)
    case.refresh_from_db()
    assert case.selfreport_hash == token_hash(token)
    qr = re.search(r'<img class="qr" src="([^"]+)"', html).group(1)
    assert qr.startswith("data:image/svg+xml")
    svg = urllib.parse.unquote(qr.split(",", 1)[1])  # segno's data URI is URL-encoded
    assert "<svg" in svg and "<path" in svg
    assert "王**" in html and "王小明" not in html.split('data-testid="qr-card"')[1]
    assert "quarantine/print.css" in html
    # The link works, and is never shown again.
    assert Client().get(f"/quarantine/r/{token}/").status_code == 200
    again = client.get(manage(case)).content.decode()
    assert token not in again and 'data-testid="revoke"' in again


def test_revoke_from_the_page(world, web):
    case = make_case(world)
    client = web("worker_a")
    client.post(manage(case), {"action": "issue"})
    response = client.post(manage(case), {"action": "revoke"})
    assert response.status_code == 302 and response["Location"] == manage(case)
    assert ObservationCase.objects.get(pk=case.pk).selfreport_hash == ""
    # Revoking again is refused with a message, nothing written.
    response = client.post(manage(case), {"action": "revoke"}, follow=True)
    assert "该观察对象没有自主上报链接。" in response.content.decode()
    response = client.post(manage(case), {"action": "explode"}, follow=True)
    assert ObservationCase.objects.get(pk=case.pk).selfreport_hash == ""


def test_the_manage_page_is_for_the_cases_people_only(world, web):
    case = make_case(world)
    assert web("worker_b").get(manage(case)).status_code == 404
    assert web("worker_b").post(manage(case), {"action": "issue"}).status_code == 404
    assert web("analyst").get(manage(case)).status_code == 403
    response = web(None).get(manage(case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ObservationCase.objects.get(pk=case.pk).selfreport_hash == ""


def test_the_case_section_renders_from_its_selector(world):
    case = make_case(world, start=timezone.localdate())
    worker, analyst = world.actor("worker_a"), world.actor("analyst")
    html = render_to_string(
        "quarantine/_case_selfreport.html", case_selfreport(actor=worker, case=case)
    )
    assert f"/quarantine/cases/{case.pk}/selfreport/" in html
    assert f"/quarantine/cases/{case.pk}/notice/" in html
    assert "/release/" not in html  # the period is over only at the release date
    html = render_to_string(
        "quarantine/_case_selfreport.html", case_selfreport(actor=analyst, case=case)
    )
    assert "/selfreport/" not in html and f"/quarantine/cases/{case.pk}/notice/" in html
    ended = make_case(world, name="隔离乙")  # 3 to 17 Feb 2020: long over
    html = render_to_string(
        "quarantine/_case_selfreport.html", case_selfreport(actor=analyst, case=ended)
    )
    assert f"/quarantine/cases/{ended.pk}/release/" in html
