"""Headquarters drills the dashboard down from the city to a village, and back."""

import pytest

from .conftest import DESKTOP

pytestmark = pytest.mark.browser

TITLE_TEXT = "el => el.firstChild.textContent.trim()"  # the h1 without its kind badge


def figure(page, key: str) -> str:
    return page.locator(f"[data-testid=figures] li[data-key={key}] .value").inner_text().strip()


def crumbs(page) -> list[str]:
    return [t.strip() for t in page.locator("nav.crumbs a").all_inner_texts()]


def drilldown_cell(page, row_name: str, key: str) -> str:
    """The drill-down table's cell for a child and a figure (column found by the figure's label)."""
    label = page.locator(f"[data-testid=figures] li[data-key={key}] .label").inner_text().strip()
    headers = [
        h.strip() for h in page.locator("[data-testid=drilldown] thead th").all_inner_texts()
    ]
    column = headers.index(label)
    row = page.locator("[data-testid=drilldown] tbody tr").filter(
        has=page.get_by_role("link", name=row_name, exact=True)
    )
    return row.locator("td").nth(column).inner_text().strip()


def test_headquarters_drills_down_to_a_village(live_world, browse):
    b = browse(viewport=DESKTOP)
    page = b.page
    title = page.locator("[data-testid=dashboard-title]")
    drilldown = page.locator("[data-testid=drilldown]")

    b.login("hq")
    assert page.url == b.url("/")

    # The city: 4 small grids; 3 staff in each small grid and 2 in each big grid = 18.
    assert title.evaluate(TITLE_TEXT) == "恩平市"
    assert figure(page, "grids_small") == "4"
    assert figure(page, "grid_workers") == "18"
    assert crumbs(page) == []
    assert [t.strip() for t in drilldown.locator("tbody td:first-child a").all_inner_texts()] == [
        "恩城街道"
    ]
    b.shot("01-city")

    with page.expect_navigation():
        drilldown.get_by_role("link", name="恩城街道", exact=True).click()
    assert title.evaluate(TITLE_TEXT) == "恩城街道"
    assert "j=440785.001" in page.url
    assert figure(page, "grids_small") == "4"
    assert figure(page, "grid_workers") == "18"
    assert crumbs(page) == ["恩平市"]
    assert drilldown_cell(page, "锦岗村", "grids_small") == "2"
    assert drilldown_cell(page, "郁文村", "grids_small") == "1"
    assert drilldown_cell(page, "青云社区", "grids_small") == "1"
    assert drilldown_cell(page, "锦岗村", "grid_workers") == "8"
    b.shot("02-subdistrict")

    with page.expect_navigation():
        drilldown.get_by_role("link", name="锦岗村", exact=True).click()
    assert title.evaluate(TITLE_TEXT) == "锦岗村"
    assert "j=440785.001.01" in page.url
    # 2 small grids; 3 staff in each, 2 in the big grid.
    assert figure(page, "grids_small") == "2"
    assert figure(page, "grid_workers") == "8"
    assert crumbs(page) == ["恩平市", "恩城街道"]
    assert [t.strip() for t in drilldown.locator("tbody td:first-child a").all_inner_texts()] == [
        "锦岗村大网格"
    ]
    b.shot("03-village")

    # The breadcrumb leads back to the city.
    with page.expect_navigation():
        page.locator("nav.crumbs").get_by_role("link", name="恩平市", exact=True).click()
    assert title.evaluate(TITLE_TEXT) == "恩平市"
    assert figure(page, "grids_small") == "4"
    b.shot("04-back-to-city")
