"""The desk's queue: pending applications in scope, overdue first then by due time, keyset
pages that neither skip nor repeat, search and filters, the returned and unpublished lists,
and a constant number of queries whatever the page size. Time stands at NOW."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from epigrid.enterprises.models import Application, Enterprise, Industry, Size
from epigrid.enterprises.selectors import queue as selectors
from epigrid.enterprises.selectors.batches import batch_entries, batch_list
from epigrid.enterprises.services.batches import batch_publish

from .rev_world import NOW, frozen, make_application

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def names(page):
    return [r.application.enterprise.name for r in page.items]


def more_enterprises(world, n: int, grid: str = "grid_a") -> list[Enterprise]:
    node = world.nodes[grid]
    return [
        Enterprise.objects.create(
            name=f"企业{i:03d}",
            uscc=f"91440785MA4UK{i:03d}00",
            address="路",
            jurisdiction=node,
            jpath=node.path,
            industry=Industry.OTHER,
            size=Size.MICRO,
            legal_rep="甲",
            contact_name="乙",
            contact_phone="13700000000",
        )
        for i in range(n)
    ]


def test_overdue_first_then_by_due_time(eworld):
    make_application(eworld, "a", due_at=NOW + 30 * H)
    make_application(eworld, "b", due_at=NOW - 3 * H, status="in_review")  # overdue
    make_application(eworld, "a2", due_at=NOW + 5 * H)
    with translation.override("en"):
        page = selectors.review_queue(actor=eworld.actor("desk"), now=NOW)
    assert names(page) == ["郁文制衣厂", "锦岗食品厂", "锦岗五金厂"]
    clocks = [r.clock for r in page.items]
    assert [c["overdue"] for c in clocks] == [True, False, False]
    assert clocks[0]["text"] == "Overdue by 3 hours"
    assert [r.round for r in page.items] == [1, 1, 1]
    assert page.next is None


def test_scope_search_and_filters(eworld):
    make_application(eworld, "a", due_at=NOW + H, reviewer=eworld.users["desk"])
    make_application(eworld, "b", due_at=NOW + 2 * H, status="in_review")
    make_application(
        eworld, "a2", status="returned", supplement_by=NOW.date() - dt.timedelta(days=1)
    )
    desk = eworld.actor("desk")

    def q(**kw):
        return names(selectors.review_queue(actor=desk, now=NOW, **kw))

    assert q() == ["锦岗五金厂", "郁文制衣厂"]
    assert q(q="郁文") == ["郁文制衣厂"]
    assert q(q="91440785ma4uj8xx") == ["锦岗五金厂"]  # a code prefix, any case
    assert q(grid=eworld.nodes["village_b"].code) == ["郁文制衣厂"]
    assert q(status="in_review") == ["郁文制衣厂"]
    assert q(mine=True) == ["锦岗五金厂"]
    with pytest.raises(ValidationError):
        q(status="approved")
    # Nobody without APPLICATIONS_REVIEW sees a queue; an enterprise user neither.
    for name in ("secretary", "worker_a", "inspector", "analyst", "ent_a", "ent_b"):
        assert names(selectors.review_queue(actor=eworld.actor(name), now=NOW)) == []
    returned = selectors.returned_list(actor=desk, now=NOW)
    assert [(r.application.enterprise.name, r.supplement_overdue) for r in returned.items] == [
        ("锦岗食品厂", True)
    ]


def test_keyset_pages_cover_every_row_once_even_with_equal_due_times(eworld):
    extra = more_enterprises(eworld, 7)
    for i, enterprise in enumerate(extra):
        eworld.enterprises[f"x{i}"] = enterprise
        make_application(eworld, f"x{i}", due_at=NOW + (i % 3) * H)  # ties on due_at
    seen, cursor = [], None
    while True:
        page = selectors.review_queue(actor=eworld.actor("desk"), cursor=cursor, limit=3, now=NOW)
        seen += [r.application.pk for r in page.items]
        cursor = page.next
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7
    with pytest.raises(ValidationError):
        selectors.review_queue(actor=eworld.actor("desk"), cursor="garbage!", now=NOW)


def test_query_counts_are_constant(eworld, django_assert_num_queries):
    extra = more_enterprises(eworld, 12)
    for i, enterprise in enumerate(extra):
        eworld.enterprises[f"x{i}"] = enterprise
        make_application(eworld, f"x{i}", due_at=NOW + i * H)
    desk = eworld.actor("desk")
    # Rows (with enterprise and grid), supplement counts, calendar changes: 3 queries.
    for limit in (2, 12):
        with django_assert_num_queries(3):
            page = selectors.review_queue(actor=desk, limit=limit, now=NOW)
            [r.application.enterprise.jurisdiction.name for r in page.items]
    Application.objects.update(status="returned", due_at=None, supplement_by=NOW.date())
    for limit in (2, 12):
        with django_assert_num_queries(2):  # rows, supplement counts
            selectors.returned_list(actor=desk, limit=limit, now=NOW)
    # Approved, then published: the batch's entries are one query a page.
    Application.objects.update(status="approved", decided_at=NOW, due_at=None)
    with frozen():
        batch = batch_publish(actor=desk, subdistrict=eworld.nodes["sub"])
    for limit in (2, 12):
        with django_assert_num_queries(1):
            page = batch_entries(batch=batch, limit=limit)
            [a.enterprise.jurisdiction.name for a in page.items]
        with django_assert_num_queries(1):
            page = batch_entries(batch=batch, limit=limit, public=True)
            [a.enterprise.name for a in page.items]
    with django_assert_num_queries(1):
        batch_list(actor=desk)


def test_counts_and_publishable_subdistricts(eworld):
    make_application(eworld, "a")
    make_application(eworld, "b", status="returned")
    make_application(eworld, "a2", status="approved", decided_at=NOW)
    desk = eworld.actor("desk")
    assert selectors.queue_counts(actor=desk) == {"pending": 1, "returned": 1, "unpublished": 1}
    assert [(n.name, c) for n, c in selectors.publishable_subdistricts(actor=desk)] == [
        ("恩城街道", 1)
    ]
    assert selectors.publishable_subdistricts(actor=eworld.actor("secretary")) == []
    unpublished = selectors.unpublished_list(actor=desk)
    assert names(unpublished) == ["锦岗食品厂"]
