"""The gate on a 360 px phone: a worker logs a non-local vehicle with two passengers in
under ten interactions; offline, five checks wait on the phone and reach the server, exactly
once each, when the network returns; a traveller self-fills from the QR and the worker adds
only the temperatures."""

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from epigrid.checkpoints.models import Check, CheckPerson, SelfFill
from tests.checkpoints.world import make_checkpoint

from .conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.browser

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
# Screenshots go with the other browser artifacts, or where EPIGRID_SHOTS_DIR says.
SHOTS = Path(os.environ.get("EPIGRID_SHOTS_DIR") or ARTIFACTS)
RID = "430102198505052012"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"checkpoints-{name}.png"), full_page=True)


def wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    """Polls `condition` (a database read while the live server may be writing: SQLite's
    shared in-memory test database answers "table is locked" meanwhile, so that is retried)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return True
        except OperationalError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.25)


class Counted:
    """The worker's taps and fills after the page loaded, counted."""

    def __init__(self, page) -> None:
        self.page = page
        self.n = 0

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.n += 1

    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self.n += 1


def open_log(browse, checkpoint, who="worker_a"):
    b = browse(viewport=PHONE, locale="zh-CN")
    b.login(who)
    assert b.goto(f"/checkpoints/{checkpoint.pk}/log/").status == 200
    b.page.wait_for_selector("[data-testid=log-page].ready")
    return b


def waiting(page) -> str:
    return page.locator("[data-testid=waiting]").inner_text().strip()


def test_worker_logs_a_nonlocal_vehicle_with_two_passengers_in_under_ten_interactions(
    live_world, browse
):
    cp = make_checkpoint(live_world, grid="grid_a", name="锦岗村口")
    b = open_log(browse, cp)
    page = b.page
    assert page.evaluate(FITS), "the log page scrolls sideways on a 360 px phone"
    shot(page, "01-log-empty")

    worker = Counted(page)
    worker.click("[data-testid=mode-vehicle]")
    worker.click("[data-testid=province]")
    worker.click("[data-province=湘]")
    worker.fill("[data-testid=plate]", "A12345")
    flag = page.locator("[data-testid=plate-flag]")
    assert "nonlocal" in (flag.get_attribute("class") or "")
    assert "湘A" in flag.inner_text()
    worker.click("[data-testid=count] [data-count='3']")  # the driver and two passengers
    people = page.locator("[data-testid=people] > li")
    assert people.count() == 3
    for i, reading in enumerate(("36.5", "36.6", "36.4")):
        worker.click(f"[data-testid=people] > li:nth-child({i + 1}) [data-t='{reading}']")
    assert page.evaluate(FITS)
    shot(page, "02-log-vehicle-filled")
    worker.click("[data-testid=result-passed]")
    assert worker.n < 10, f"{worker.n} interactions"

    assert wait_for(lambda: Check.objects.count() == 1), "the check did not reach the server"
    check = Check.objects.get()
    assert (check.plate, check.plate_prefix, check.nonlocal_vehicle) == ("湘A12345", "湘A", True)
    assert (check.mode, check.result, check.source, check.persons) == (
        "vehicle",
        "passed",
        "device",
        3,
    )
    assert check.checkpoint_id == cp.pk and check.recorded_by == live_world.users["worker_a"]
    temps = list(
        CheckPerson.objects.filter(check_row=check)
        .order_by("seq")
        .values_list("temperature", flat=True)
    )
    assert [str(t) for t in temps] == ["36.5", "36.6", "36.4"]
    expect(page.locator("[data-testid=waiting]")).to_have_text(re.compile(r"\D0$"))
    # The form is ready for the next one: still a vehicle, one person, no plate.
    assert page.input_value("[data-testid=plate]") == ""
    assert page.locator("[data-testid=people] > li").count() == 1

    # A fever reading turns the check into a fever one, in red.
    page.fill("[data-testid=people] > li:nth-child(1) .temp", "38.2")
    assert page.locator("[data-testid=result-fever]").is_visible()
    assert not page.locator("[data-testid=result-passed]").is_visible()
    assert "fever" in (page.locator("[data-testid=people] > li").first.get_attribute("class") or "")
    page.fill("[data-testid=plate]", "粤J88888")
    assert "local" in (flag.get_attribute("class") or "").split()
    shot(page, "03-log-fever")
    page.click("[data-testid=result-fever]")
    assert wait_for(lambda: Check.objects.filter(result="fever").count() == 1)
    assert Check.objects.get(result="fever").nonlocal_vehicle is False


def test_offline_checks_wait_on_the_phone_and_reach_the_server_once(live_world, browse):
    cp = make_checkpoint(live_world, grid="grid_a", name="锦岗村口")
    b = open_log(browse, cp)
    page = b.page
    # Let the service worker take the page, so that it can also be reloaded offline.
    assert wait_for(lambda: page.evaluate("!!navigator.serviceWorker.controller"))
    before = Check.objects.count()

    page.context.set_offline(True)
    expect(page.locator("[data-testid=net]")).to_have_class(re.compile(r"\boff\b"))
    for i in range(5):
        page.click(f"[data-testid=people] > li:nth-child(1) [data-t='36.{3 + i}']")
        page.click("[data-testid=result-passed]")
    assert waiting(page).endswith("5"), waiting(page)
    shot(page, "04-log-offline-5-waiting")
    time.sleep(1.0)
    assert Check.objects.count() == before  # nothing left the phone

    # The phone reloads the page with no network: the queue is still there.
    page.reload()
    page.wait_for_selector("[data-testid=log-page].ready")
    assert waiting(page).endswith("5"), waiting(page)

    page.context.set_offline(False)
    assert wait_for(lambda: Check.objects.count() == before + 5, seconds=15), Check.objects.count()
    expect(page.locator("[data-testid=waiting]")).to_have_text(re.compile(r"\D0$"))
    time.sleep(1.0)  # nothing arrives twice
    assert Check.objects.count() == before + 5
    temps = sorted(
        str(t)
        for t in CheckPerson.objects.filter(check_row__checkpoint=cp).values_list(
            "temperature", flat=True
        )
    )
    assert temps == ["36.3", "36.4", "36.5", "36.6", "36.7"]
    assert set(Check.objects.values_list("source", flat=True)) == {"device"}
    shot(page, "05-log-back-online")


def test_a_traveller_self_fills_and_the_worker_adds_the_temperatures(live_world, browse):
    cp = make_checkpoint(live_world, grid="grid_a", name="锦岗村口")

    traveller = browse(viewport=PHONE, locale="zh-CN")
    page = traveller.page
    assert traveller.goto(f"/checkpoints/f/{cp.public_code}/").status == 200
    assert page.evaluate(FITS), "the self-fill page scrolls sideways on a 360 px phone"
    assert not page.locator("#id_plate").is_visible()  # on foot: no plate asked
    shot(page, "06-selffill-form")
    page.check("[data-testid=mode-vehicle]")
    assert page.locator("#id_plate").is_visible()
    page.fill("#id_plate", "湘A12345")
    page.fill("#id_name_0", "赵自填")
    page.fill("#id_doc_number_0", RID)
    page.click("[data-testid=add-person]")
    page.wait_for_selector("#id_name_1")
    assert page.input_value("#id_name_0") == "赵自填"
    page.fill("#id_name_1", "钱同行")
    page.fill("#id_origin", "长沙")
    page.click("[data-testid=submit]")
    code_node = page.locator("[data-testid=selffill-code]")
    code = code_node.inner_text().strip()
    assert len(code) == 6
    html = page.content()
    for secret in ("赵自填", "钱同行", RID, "湘A12345", "长沙"):
        assert secret not in html
    assert page.evaluate(FITS)
    shot(page, "07-selffill-code")
    assert SelfFill.objects.get().code == code

    b = open_log(browse, cp)
    log = b.page
    worker = Counted(log)
    worker.fill("[data-testid=selffill-code]", code.lower())
    worker.click("[data-testid=selffill-fetch]")
    log.wait_for_selector("[data-testid=fill-banner]:not([hidden])")
    whos = log.locator("[data-testid=person-who]")
    assert whos.count() == 2
    assert "赵自填" in whos.nth(0).inner_text() and "430102********2012" in whos.nth(0).inner_text()
    assert RID not in log.content()
    assert log.input_value("[data-testid=plate]") == "A12345"
    shot(log, "08-log-selffill")
    worker.click("[data-testid=people] > li:nth-child(1) [data-t='36.6']")
    worker.click("[data-testid=people] > li:nth-child(2) [data-t='36.7']")
    worker.click("[data-testid=result-passed]")
    assert worker.n == 5

    assert wait_for(lambda: Check.objects.count() == 1)
    check = Check.objects.get()
    assert (check.source, check.plate, check.origin, check.persons) == (
        "self_fill",
        "湘A12345",
        "长沙",
        2,
    )
    people = list(CheckPerson.objects.filter(check_row=check).order_by("seq"))
    assert [(p.name, p.doc_number, str(p.temperature)) for p in people] == [
        ("赵自填", RID, "36.6"),
        ("钱同行", "", "36.7"),
    ]
    assert wait_for(lambda: SelfFill.objects.get().used_at is not None)


def test_a_repeat_visitor_needs_only_a_new_temperature(live_world, browse):
    from epigrid.checkpoints.services.checks import checks_ingest
    from tests.checkpoints.field_world import check, person

    cp = make_checkpoint(live_world, grid="grid_a", name="锦岗村口")
    earlier = check(
        person("孙回访", RID, "13912345678"), plate="湘A54321", minutes_ago=120, origin="长沙"
    )
    [answer] = checks_ingest(
        actor=live_world.actor("worker_a"), checkpoint=cp, items=[earlier], source="device"
    )
    assert answer["status"] == "stored"

    b = open_log(browse, cp)
    page = b.page
    worker = Counted(page)
    worker.click("[data-testid=mode-vehicle]")
    worker.fill("[data-testid=plate]", "湘A54321")  # a typed province character moves to the picker
    assert page.locator("[data-testid=province]").inner_text().startswith("湘")
    repeat = page.locator("[data-testid=repeat]")
    repeat.wait_for()
    assert "孙回访" in repeat.inner_text() and "430102********2012" in repeat.inner_text()
    worker.click("[data-testid=repeat-use]")
    assert "孙回访" in page.locator("[data-testid=person-who]").first.inner_text()
    assert page.input_value("[data-testid=origin]") == "长沙"
    html = page.content()
    assert RID not in html and "13912345678" not in html
    shot(page, "09-log-repeat")
    worker.click("[data-testid=people] > li:nth-child(1) [data-t='36.8']")
    worker.click("[data-testid=result-turned_back]")
    assert worker.n == 5

    assert wait_for(lambda: Check.objects.count() == 2)
    again = Check.objects.exclude(uuid=earlier["uuid"]).get()
    assert (again.plate, again.result, again.origin) == ("湘A54321", "turned_back", "长沙")
    [p] = CheckPerson.objects.filter(check_row=again)
    assert (p.name, p.doc_number, p.phone, str(p.temperature)) == (
        "孙回访",
        RID,
        "13912345678",
        "36.8",
    )
    # Nothing of the person but the name and masked number was ever on the phone.
    stored = page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
    assert RID not in stored and "13912345678" not in stored

    # Found by phone instead, for a walk-in: the person goes into the first empty row.
    page.click("[data-testid=mode-foot]")
    page.click("[data-testid=lookup-box] summary")
    page.fill("[data-testid=lookup-q]", "139 1234 5678")
    page.click("[data-testid=lookup-go]")
    page.click("[data-testid=lookup-use]")
    assert "孙回访" in page.locator("[data-testid=person-who]").first.inner_text()
    page.click("[data-testid=people] > li:nth-child(1) [data-t='36.3']")
    page.click("[data-testid=result-passed]")
    assert wait_for(lambda: Check.objects.count() == 3)
    third = Check.objects.order_by("-id").first()
    assert (third.mode, third.plate) == ("foot", "")
    assert CheckPerson.objects.get(check_row=third).doc_number == RID


def test_a_refused_check_is_set_aside_with_its_message_to_fix_or_discard(live_world, browse):
    cp = make_checkpoint(live_world, grid="grid_a", name="锦岗村口")
    b = open_log(browse, cp)
    page = b.page
    key = page.evaluate("JSON.parse(document.getElementById('log-config').textContent).queue_key")
    # A check the phone queued that the server will refuse (a plate on a check on foot).
    bad = {
        "uuid": "5b0d7a4e-2f0c-4d43-9d8e-8b1d5c7b9a10",
        "checked_at": "2020-02-10T08:15:00+08:00",
        "mode": "foot",
        "plate": "粤J12345",
        "origin": "",
        "destination": "",
        "result": "passed",
        "selffill_code": "",
        "note": "",
        "people": [
            {"name": "", "doc_type": "", "doc_number": "", "phone": "", "temperature": 36.5}
        ],
    }
    page.evaluate(
        "([key, item]) => localStorage.setItem(key + '.queue', JSON.stringify("
        "[{item: item, label: 'queued', who: [''], fill: null}]))",
        [key, bad],
    )
    page.reload()
    page.wait_for_selector("[data-testid=log-page].ready")
    refused = page.locator("[data-testid=refused-item]")
    refused.wait_for()
    assert refused.count() == 1
    expect(page.locator("[data-testid=waiting]")).to_have_text(re.compile(r"\D0$"))
    assert Check.objects.count() == 0
    shot(page, "10-log-refused")

    # Fix: the check comes back into the form with its message; on foot it has no plate.
    page.click("[data-testid=refused-fix]")
    assert page.locator("[data-testid=form-problem]").is_visible()
    page.click("[data-testid=mode-foot]")
    page.click("[data-testid=result-passed]")
    assert wait_for(lambda: Check.objects.count() == 1)
    fixed = Check.objects.get()
    assert str(fixed.uuid) == bad["uuid"] and fixed.plate == ""
    assert page.locator("[data-testid=refused-item]").count() == 0

    # Discard: asked once, then gone for good.
    bad2 = {**bad, "uuid": "6c1e8b5f-3a1d-4e54-8e9f-9c2e6d8c0b21", "people": []}
    page.evaluate(
        "([key, item]) => localStorage.setItem(key + '.queue', JSON.stringify("
        "[{item: item, label: 'queued', who: [], fill: null}]))",
        [key, bad2],
    )
    page.reload()
    page.wait_for_selector("[data-testid=log-page].ready")
    refused.wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=refused-discard]")
    expect(page.locator("[data-testid=refused]")).to_be_hidden()
    assert page.evaluate("(key) => localStorage.getItem(key + '.refused')", key) == "[]"
    assert Check.objects.count() == 1
