"""A grid worker at the door, on a 360 px phone: today's list, a visit with two tenants (one
new, one the register already knows and is not retyped), and the grid's coverage rising."""

import pytest

from epigrid.accounts.access import SYSTEM
from epigrid.registry.models import Person
from epigrid.sweeps import services
from epigrid.sweeps.models import Visit, VisitPerson
from tests.sweeps.world import build_sweeps, resident_id

from .conftest import PHONE

pytestmark = pytest.mark.browser

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
COVERAGE = "[data-testid=my-coverage] [data-testid=inspected]"


def test_grid_worker_records_a_visit_with_two_tenants(live_world, browse):
    sweeps = build_sweeps(live_world)
    # Worker A also has 05房, never visited: it comes before 02房, where nobody was home.
    never = sweeps["cu"]("grid_a", 4)
    services.campaign_unit_assign(
        actor=SYSTEM, campaign_unit=never, staff=live_world.staff["grid_a.cadre"]
    )
    known = VisitPerson.objects.get(visit=sweeps["visit_a"]).person  # 陈一, in 01房 of grid A
    new_id = resident_id("450881", "19960606", "025")
    persons_before = Person.objects.count()

    b = browse(viewport=PHONE)
    page = b.page
    b.login("worker_a")
    assert b.goto("/sweeps/today/").status == 200
    assert page.locator(COVERAGE).inner_text().strip() == "1"
    assert page.locator("[data-testid=my-coverage] [data-testid=units]").inner_text() == "5"
    cards = page.locator("[data-testid=today-list] > li")
    assert cards.count() == 2
    assert "05房" in cards.nth(0).inner_text()  # never visited first
    assert "02房" in cards.nth(1).inner_text()  # then "nobody home"
    assert "房东乙" in cards.nth(0).inner_text()  # the landlord, to ask at the door
    assert page.evaluate(FITS), "today's list scrolls sideways on a 360 px phone"
    b.shot("01-today")

    cards.nth(0).get_by_role("link").last.click()
    page.wait_for_url(f"**/sweeps/units/{never.pk}/visit/")
    assert page.locator("input[name=outcome][value=registered]").is_checked()

    # Tenant 1 is new: the lookup says so, the name is typed.
    page.fill("#id_persons-0-doc_number", new_id)
    lookup_1 = page.locator("[data-index='0'] .lookup")
    lookup_1.locator(".lookup-new").wait_for()
    page.fill("#id_persons-0-name", "黄新来")
    page.fill("#id_persons-0-phone", "13800138123")

    # "Add another person" brings a second row without reloading the page.
    page.click("[data-testid=add-person]")
    page.locator("#id_persons-1-doc_number").wait_for()
    assert page.locator("#id_persons-TOTAL_FORMS").input_value() == "2"

    # Tenant 2 is already in the register: recognised by number, the name is not retyped.
    page.fill("#id_persons-1-doc_number", known.doc_number.lower())
    page.locator("[data-index='1'] .lookup [data-testid=known-person]").wait_for()
    assert known.name in page.locator("[data-index='1'] .lookup").inner_text()
    assert page.evaluate(FITS), "the visit form scrolls sideways on a 360 px phone"
    b.shot("02-visit-form")

    with page.expect_navigation():
        page.click("[data-testid=save-visit]")
    assert page.url == b.url("/sweeps/today/")
    assert page.locator(".messages li.success").count() == 1
    # The grid's coverage rose from 1 to 2 of 5, and 05房 left the list.
    assert page.locator(COVERAGE).inner_text().strip() == "2"
    assert "05房" not in page.locator("[data-testid=today-list]").inner_text()
    assert page.evaluate(FITS)
    b.shot("03-coverage-rose")

    visit = Visit.objects.get(campaign_unit=never)
    found = {vp.person.doc_number: vp for vp in VisitPerson.objects.filter(visit=visit)}
    assert set(found) == {new_id, known.doc_number}
    assert found[new_id].created and not found[known.doc_number].created
    assert Person.objects.count() == persons_before + 1
    known.refresh_from_db()
    assert known.current_unit_id == never.unit_id  # moved to 05房

    # The campaign's page for the grid shows the same rise.
    grid = live_world.nodes["grid_a"].code
    b.goto(f"/sweeps/{sweeps['campaign'].pk}/?j={grid}")
    inspected = page.locator("[data-testid=coverage] li[data-key=inspected] .value")
    assert inspected.inner_text().strip() == "2"
    assert page.evaluate(FITS)
    b.shot("04-grid-coverage")
