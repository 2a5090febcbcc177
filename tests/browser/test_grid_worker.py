"""A grid worker on a 360 px phone: only their own grid, and the language switch."""

import pytest

from .conftest import PHONE

pytestmark = pytest.mark.browser

OWN_GRID = ("锦岗村第1网格", "440785.001.01.1.01")
OTHER_GRID = "440785.001.02.1.01"  # worker_b's grid 郁文村第1网格

TITLE_TEXT = "el => el.firstChild.textContent.trim()"  # the h1 without its kind badge
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def figure(page, key: str) -> str:
    return page.locator(f"[data-testid=figures] li[data-key={key}] .value").inner_text().strip()


def test_grid_worker_sees_only_their_own_grid_on_a_phone(live_world, browse):
    b = browse(viewport=PHONE)
    page = b.page

    b.goto("/accounts/login/")
    b.shot("01-login")
    posted = b.login("worker_a")
    assert posted.status == 302
    assert page.url == b.url("/")

    # Dashboard: their small grid, its own figures, and nothing wider than the phone.
    title = page.locator("[data-testid=dashboard-title]")
    assert title.evaluate(TITLE_TEXT) == OWN_GRID[0]
    assert figure(page, "grids_small") == "1"
    assert figure(page, "grid_workers") == "3"
    assert page.locator("[data-testid=drilldown]").count() == 0  # a small grid has no children
    assert page.evaluate(FITS), "the dashboard scrolls sideways on a 360 px phone"
    b.shot("02-dashboard")

    # The grid list: exactly their own grid.
    assert b.goto("/grids/").status == 200
    rows = page.locator("[data-testid=grid-list] tbody tr")
    assert rows.count() == 1
    assert rows.locator("td").nth(0).inner_text().strip() == OWN_GRID[0]
    assert rows.locator("td code").inner_text().strip() == OWN_GRID[1]
    assert page.evaluate(FITS), "the grid list scrolls sideways on a 360 px phone"
    b.shot("03-grid-list")

    # Their own grid's page opens; the other worker's grid does not exist for them.
    assert b.goto(f"/grids/{OWN_GRID[1]}/").status == 200
    assert page.locator("h1").evaluate(TITLE_TEXT) == OWN_GRID[0]
    b.shot("04-own-grid")
    response = b.goto(f"/grids/{OTHER_GRID}/")
    assert response.status == 404
    assert "郁文村" not in page.content()
    b.shot("05-other-grid-404")

    # The staff list: the three people of grid A (not grid A2's "grid_a2-…", not big grid A's).
    expected = sorted(m.name for k, m in live_world.staff.items() if k.startswith("grid_a."))
    assert len(expected) == 3
    assert b.goto("/workforce/staff/").status == 200
    names = page.locator("[data-testid=staff-list] tbody tr td:first-child a").all_inner_texts()
    assert len(names) == 3
    assert all(n.startswith("grid_a-") for n in names), names
    assert sorted(n.strip() for n in names) == expected
    assert page.locator("[data-testid=staff-list] tbody tr").count() == 3
    assert page.evaluate(FITS), "the staff list scrolls sideways on a 360 px phone"
    b.shot("06-staff-list")


def test_language_switch_goes_to_english_and_back(live_world, browse):
    b = browse(viewport=PHONE)
    page = b.page
    switch = page.locator("[data-testid=lang-switch]")

    b.login("worker_a")
    assert page.url == b.url("/")
    assert b.html_lang().startswith("zh")
    assert switch.inner_text().strip() == "English"
    b.shot("01-chinese")

    with page.expect_navigation():
        switch.click()
    assert page.url == b.url("/")  # back on the page the switch was pressed on
    assert b.html_lang() == "en"
    assert switch.inner_text().strip() == "中文"
    b.shot("02-english")

    # The choice sticks on the next page.
    b.goto("/grids/")
    assert b.html_lang() == "en"
    assert switch.inner_text().strip() == "中文"

    with page.expect_navigation():
        switch.click()
    assert page.url == b.url("/grids/")
    assert b.html_lang().startswith("zh")
    assert switch.inner_text().strip() == "English"
    b.shot("03-chinese-again")
