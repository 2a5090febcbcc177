"""The register on a 360 px phone in Chromium: the secretary sets up a checkpoint and adds
a post; the office pages fit the screen without sideways scrolling; the paper sheet prints
on one A4 page and the QR poster on one page, with no console (CSP) errors."""

import os
import re
from pathlib import Path

import pytest

from epigrid.checkpoints.models import Checkpoint, CheckpointPost
from tests.browser import conftest as harness
from tests.browser.conftest import ARTIFACTS, PHONE

from .register_world import make_check

pytestmark = pytest.mark.browser

# The browser harness's fixtures, used here by name.
browser = harness.browser
browse = harness.browse
live_world = harness.live_world
_plain_http_cookies = harness._plain_http_cookies

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path(os.environ.get("EPIGRID_SHOTS_DIR") or ARTIFACTS)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"register-{name}.png"), full_page=True)


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF Chromium printed (one /Type /Page object each)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_secretary_sets_up_a_checkpoint_and_a_post_on_a_phone(live_world, browse):
    b = browse(viewport=PHONE)
    b.login("secretary")
    b.goto("/checkpoints/new/")
    page = b.page
    assert page.evaluate(FITS)
    page.fill("#id_name", "锦岗村北口")
    page.select_option("#id_jurisdiction", live_world.nodes["grid_a2"].code)
    page.fill("#id_opens_at", "06:00")
    page.fill("#id_closes_at", "22:00")
    page.click("[data-testid=checkpoint-create-form] button[type=submit]")
    page.wait_for_load_state()
    created = Checkpoint.objects.get(name="锦岗村北口")
    assert page.url.endswith(f"/checkpoints/{created.pk}/")
    page.click("[data-testid=add-post-persuasion]")
    page.wait_for_load_state()
    link = CheckpointPost.objects.get(checkpoint=created)
    assert link.post.name == "锦岗村北口 · 劝导岗"
    assert page.locator("[data-testid=uncovered]").count() == 1
    assert page.evaluate(FITS)
    shot(page, "detail")
    for path in ("/checkpoints/", f"/checkpoints/{created.pk}/paper/entry/"):
        b.goto(path)
        assert page.evaluate(FITS), path
    shot(page, "paper-entry")


def test_checks_list_fits_and_printables_fit_their_pages(live_world, browse):
    grid = live_world.nodes["grid_a"]
    checkpoint = Checkpoint.objects.create(
        name="锦岗村口",
        kind="village_entrance",
        jurisdiction=grid,
        jpath=grid.path,
        active_from=live_world.nodes["grid_a"].active_from,
        public_code="Ab3_Xy9-",
    )
    make_check(
        checkpoint,
        mode="vehicle",
        plate="湘A12345",
        nonlocal_vehicle=True,
        origin="长沙市岳麓区某某街道",
        destination="锦岗村",
        people=[{"name": "李四", "doc_number": "430102198505050017"}, {"name": "李小四"}],
    )
    b = browse(viewport=PHONE)
    b.login("worker_a")
    page = b.page
    b.goto("/checkpoints/checks/")
    assert page.locator("[data-testid=check-row]").count() == 1
    assert page.evaluate(FITS)
    shot(page, "check-list")
    b.goto(f"/checkpoints/{checkpoint.pk}/qr/")
    assert page.locator("[data-testid=qr]").count() == 1
    shot(page, "qr")
    page.emulate_media(media="print")
    poster = page.pdf(prefer_css_page_size=True)
    assert pdf_pages(poster) == 1
    b.goto(f"/checkpoints/{checkpoint.pk}/paper/?day=2020-02-10")
    shot(page, "paper-sheet")
    sheet = page.pdf(prefer_css_page_size=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "register-paper-sheet.pdf").write_bytes(sheet)
    assert pdf_pages(sheet) == 1
