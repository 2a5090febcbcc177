"""Work resumption end to end on a 360 px phone, in Chinese: an enterprise user applies and
submits with its files; the desk returns it for one missing item; the enterprise supplies
it; the desk approves it and publishes a batch; the public batch page lists it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epigrid.enterprises.models import Application, Employee
from epigrid.policy.selectors import policy_value
from tests.enterprises.world import add_enterprise_world

from .conftest import PHONE

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def opened(browse):
    """A phone in Chinese; patient, since the live server shares a busy machine."""
    browsing = browse(viewport=PHONE, locale="zh-CN")
    browsing.page.set_default_timeout(45_000)
    browsing.page.set_default_navigation_timeout(45_000)
    return browsing


def upload(page, code: str) -> None:
    form = page.locator(f'form[data-item="{code}"]').first
    form.locator('input[name="file"]').set_input_files(pdf(f"{code}.pdf"))
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()


def test_apply_return_supplement_approve_publish(live_world, browse):
    world = add_enterprise_world(live_world)
    enterprise = world.enterprises["a"]
    # The roster (its own part's pages) is not what this test is about: one employee.
    Employee.objects.create(
        enterprise=enterprise,
        person=world.register["person_a"],
        jpath=enterprise.jpath,
        active_from=timezone.localdate() - dt.timedelta(days=10),
    )
    items = [
        i["code"]
        for i in policy_value("resumption_checklist", timezone.localdate())
        if i.get("file")
    ]

    # The enterprise applies and submits with its files.
    ent = opened(browse)
    ent.login("ent_a")
    ent.goto("/enterprises/applications/new/")
    page = ent.page
    page.fill("#id_planned_on", (timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.fill("#id_masks", "500")
    page.fill("#id_thermometers", "5")
    page.click('form[data-testid="application-form"] button[type="submit"].primary')
    page.wait_for_load_state()
    application = Application.objects.get(enterprise=enterprise)
    assert f"/enterprises/applications/{application.pk}/" in page.url
    for code in items:
        upload(page, code)
    assert page.evaluate(FITS)
    page.click('button[data-action="submit"]')
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == "submitted"

    # The desk returns it for one missing item.
    desk = opened(browse)
    desk.login("desk")
    desk.goto("/enterprises/review/")
    expect(desk.page.locator('[data-testid="queue-row"]')).to_have_count(1)
    assert desk.page.evaluate(FITS)
    desk.page.click('[data-testid="queue-row"] a')
    desk.page.wait_for_load_state()
    panel = desk.page.locator('[data-testid="review-panel"]')
    panel.locator('[data-testid="summary-return"]').click()
    panel.locator('input[name="items"][value="training"]').check()
    panel.locator('button[data-action="review-return"]').click()
    desk.page.wait_for_load_state()
    application.refresh_from_db()
    assert (application.status, application.missing_items) == ("returned", ["training"])

    # The enterprise supplies it.
    ent.goto(f"/enterprises/applications/{application.pk}/")
    upload(page, "training")
    page.click('button[data-action="supplement"]')
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == "submitted"

    # The desk approves it and publishes the batch.
    desk.goto(f"/enterprises/applications/{application.pk}/")
    desk.page.locator('button[data-action="review-approve"]').click()
    desk.page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == "approved"
    desk.goto("/enterprises/batches/")
    desk.page.click('button[data-action="publish"]')
    desk.page.wait_for_load_state()
    expect(desk.page.locator('[data-testid="batch-entries"]')).to_contain_text("锦岗五金厂")
    desk.shot("batch")

    # Anyone, without logging in, finds it on the public page.
    public = opened(browse)
    public.goto("/enterprises/public/batches/")
    expect(public.page.locator('[data-testid="public-batches"]')).to_contain_text("恩城街道")
    public.page.click('[data-testid="public-batches"] a')
    public.page.wait_for_load_state()
    entries = public.page.locator('[data-testid="public-entry"]')
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("锦岗五金厂")
    assert public.page.evaluate(FITS)
    public.shot("public-batch")
