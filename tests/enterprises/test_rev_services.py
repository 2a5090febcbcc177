"""The desk's decisions and batches as services: each step with its event, audit and fields;
every refusal with its exact message and nothing written; two reviewers at once (stale
version, and two real threads on PostgreSQL); publishing batches numbered in turn."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.http import Http404
from django.utils import translation

from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.enterprises.models import Action, Application, ApplicationEvent, Batch, Material
from epigrid.enterprises.services import batches as batch_services
from epigrid.enterprises.services import review as services
from tests.access_runner import db_fingerprint

from .rev_world import NOW, frozen, make_application

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refused(call, exc_type=ValidationError):
    """Runs `call`, expects `exc_type`; asserts nothing changed; returns the messages."""
    before = db_fingerprint()
    with frozen(), pytest.raises(exc_type) as info:
        call()
    assert db_fingerprint() == before
    exc = info.value
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    if isinstance(exc, ValidationError):
        return exc.messages
    return str(exc)


def test_start_claims_the_application(eworld):
    app = make_application(eworld)
    desk = eworld.actor("desk")
    with frozen():
        services.review_start(actor=desk, application=app, version=1)
    app.refresh_from_db()
    assert (app.status, app.reviewer, app.version) == ("in_review", eworld.users["desk"], 2)
    assert app.due_at is not None  # the clock keeps running
    event = ApplicationEvent.objects.get(application=app)
    assert (event.action, event.from_status, event.to_status) == (
        "start_review",
        "submitted",
        "in_review",
    )
    assert (
        AuditEvent.objects.filter(action="application.start_review", actor_username="desk").count()
        == 1
    )


def test_return_names_items_and_deadline_and_stops_the_clock(eworld):
    app = make_application(eworld, status="in_review", version=2)
    with frozen():
        services.review_return(
            actor=eworld.actor("desk"),
            application=app,
            version=2,
            items=["training", "mechanism", "training"],
            note=" 请补充 ",
        )
    app.refresh_from_db()
    assert app.status == "returned"
    assert app.missing_items == ["mechanism", "training"]  # checklist order, no duplicates
    assert app.supplement_by == NOW.date() + dt.timedelta(days=1)  # policy default: 1 day
    assert app.due_at is None
    event = ApplicationEvent.objects.get(application=app)
    assert event.items == ["mechanism", "training", {"deadline": "2020-02-11"}]
    assert event.note == "请补充"


def test_return_refusals(eworld):
    app = make_application(eworld)
    desk = eworld.actor("desk")

    def ret(**kw):
        return lambda: services.review_return(actor=desk, application=app, version=1, **kw)

    assert refused(ret(items=[])) == {"items": ["Tick at least one missing item."]}
    assert refused(ret(items=["training", "bogus"])) == {
        "items": ["Not an item of this application's checklist: bogus."]
    }
    assert refused(ret(items=["training"], deadline=dt.date(2020, 2, 9))) == {
        "deadline": ["The deadline cannot be in the past."]
    }
    assert refused(
        lambda: services.review_return(actor=desk, application=app, version=7, items=["training"]),
        ConcurrentEditError,
    ).startswith("Someone else changed this record")


def test_approve_sets_decision_and_the_enterprise_approval_day(eworld):
    app = make_application(eworld)
    with frozen():
        services.review_approve(actor=eworld.actor("desk"), application=app, version=1, note="齐全")
    app.refresh_from_db()
    assert (app.status, app.decided_at, app.decided_by) == ("approved", NOW, eworld.users["desk"])
    assert (app.due_at, app.decision_note, app.green_channel) == (None, "齐全", False)
    eworld.enterprises["a"].refresh_from_db()
    assert eworld.enterprises["a"].approved_on == dt.date(2020, 2, 10)
    assert AuditEvent.objects.filter(action="application.approve").count() == 1


def test_reject_needs_a_reason(eworld):
    app = make_application(eworld)
    desk = eworld.actor("desk")
    assert refused(
        lambda: services.review_reject(actor=desk, application=app, version=1, reason="  ")
    ) == {"reason": ["This field is required."]}
    with frozen():
        services.review_reject(actor=desk, application=app, version=1, reason="不符合条件")
    app.refresh_from_db()
    assert (app.status, app.decision_note, app.due_at) == ("rejected", "不符合条件", None)
    eworld.enterprises["a"].refresh_from_db()
    assert eworld.enterprises["a"].approved_on is None


def test_a_decided_application_refuses_every_decision(eworld):
    app = make_application(eworld, status="approved", decided_at=NOW)
    desk = eworld.actor("desk")
    message = "This application was already decided (Approved). Reload it to see the decision."
    for call in (
        lambda: services.review_start(actor=desk, application=app, version=1),
        lambda: services.review_approve(actor=desk, application=app, version=1),
        lambda: services.review_reject(actor=desk, application=app, version=1, reason="x"),
        lambda: services.review_return(actor=desk, application=app, version=1, items=["training"]),
        lambda: services.review_green_channel(actor=desk, application=app, version=1, uploads={}),
    ):
        assert refused(call, ConcurrentEditError) == message


def test_wrong_status_is_refused(eworld):
    desk = eworld.actor("desk")
    returned = make_application(eworld, status="returned", missing_items=["training"])
    assert refused(
        lambda: services.review_approve(actor=desk, application=returned, version=1)
    ) == ["An application that is “Returned for supplement” cannot be changed this way."]
    in_review = make_application(eworld, "b", status="in_review")
    assert refused(lambda: services.review_start(actor=desk, application=in_review, version=1)) == [
        "An application that is “In review” cannot be changed this way."
    ]


def test_a_stale_version_loses_and_writes_nothing(eworld):
    app = make_application(eworld)
    first = Application.objects.get(pk=app.pk)
    second = Application.objects.get(pk=app.pk)
    with frozen():
        services.review_approve(actor=eworld.actor("desk"), application=first, version=1)
    # The second reviewer still holds version 1 and the old status in memory.
    message = refused(
        lambda: services.review_reject(
            actor=eworld.actor("hq"), application=second, version=1, reason="x"
        ),
        ConcurrentEditError,
    )
    assert message.startswith("Someone else changed this record")
    assert ApplicationEvent.objects.filter(application=app).count() == 1
    # Reloaded, the decision is visible and the refusal says so.
    second.refresh_from_db()
    assert "already decided" in refused(
        lambda: services.review_reject(
            actor=eworld.actor("hq"), application=second, version=2, reason="x"
        ),
        ConcurrentEditError,
    )


def test_who_may_decide(eworld):
    app = make_application(eworld)
    for name, exc in (
        ("secretary", PermissionDenied),  # sees grid A, may not review
        ("worker_a", PermissionDenied),
        ("inspector", PermissionDenied),
        ("analyst", PermissionDenied),
        ("ent_a", PermissionDenied),  # its own application: never its own reviewer
        ("ent_b", Http404),  # another enterprise's: does not exist for it
        ("worker_b", Http404),
    ):
        refused(
            lambda n=name: services.review_approve(
                actor=eworld.actor(n), application=app, version=1
            ),
            exc,
        )


def _upload(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_green_channel_records_the_papers_on_site_and_approves(eworld, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = make_application(
        eworld, status="returned", missing_items=["training", "mechanism"], supplement_by=NOW.date()
    )
    desk = eworld.actor("desk")
    assert refused(
        lambda: services.review_green_channel(
            actor=desk, application=app, version=1, uploads={"training": _upload()}
        )
    ) == {"files": ["Record a file for every missing item: Internal responsibility mechanism."]}
    assert refused(
        lambda: services.review_green_channel(
            actor=desk,
            application=app,
            version=1,
            uploads={"training": _upload(), "mechanism": _upload(), "emergency_plan": _upload()},
        )
    ) == {"files": ["Not a missing item of this application: emergency_plan."]}
    assert list(tmp_path.rglob("*.*")) == []
    with frozen():
        services.review_green_channel(
            actor=desk,
            application=app,
            version=1,
            note="现场补齐",
            uploads={"training": _upload("t.pdf"), "mechanism": _upload("m.pdf")},
        )
    app.refresh_from_db()
    assert (app.status, app.green_channel, app.missing_items, app.decided_at) == (
        "approved",
        True,
        [],
        NOW,
    )
    materials = Material.objects.filter(application=app).order_by("item")
    assert [(m.item, m.on_site) for m in materials] == [("mechanism", True), ("training", True)]
    event = ApplicationEvent.objects.get(application=app)
    assert (event.action, event.items) == (Action.GREEN_CHANNEL, ["training", "mechanism"])
    eworld.enterprises["a"].refresh_from_db()
    assert eworld.enterprises["a"].approved_on == NOW.date()


def test_green_channel_with_a_stale_version_keeps_no_file(eworld, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = make_application(eworld, status="returned", missing_items=["training"])
    assert refused(
        lambda: services.review_green_channel(
            actor=eworld.actor("desk"), application=app, version=3, uploads={"training": _upload()}
        ),
        ConcurrentEditError,
    ).startswith("Someone else changed this record")
    assert list(tmp_path.rglob("*.*")) == []


def test_batches_are_numbered_and_gather_every_unpublished_approval(eworld):
    sub = eworld.nodes["sub"]
    desk = eworld.actor("desk")
    assert refused(lambda: batch_services.batch_publish(actor=desk, subdistrict=sub)) == {
        "subdistrict": ["There is no approved application waiting to be published."]
    }
    a = make_application(eworld, "a", status="approved", decided_at=NOW)
    b = make_application(eworld, "b", status="approved", decided_at=NOW)
    make_application(eworld, "a2")  # pending: not published
    with frozen():
        first = batch_services.batch_publish(actor=desk, subdistrict=sub)
    assert (first.number, first.title, first.published_on) == (
        1,
        "恩城街道: enterprises approved to resume work, batch 1",
        NOW.date(),
    )
    assert set(first.applications.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert AuditEvent.objects.filter(action="batch.publish", actor_username="desk").count() == 1
    Application.objects.filter(enterprise=eworld.enterprises["a2"]).update(
        status="approved", decided_at=NOW, due_at=None
    )
    with frozen():
        second = batch_services.batch_publish(actor=desk, subdistrict=sub, title=" 第二批 ")
    assert (second.number, second.title) == (2, "第二批")
    assert second.applications.count() == 1


def test_publishing_refusals(eworld):
    sub = eworld.nodes["sub"]
    make_application(eworld, "a", status="approved", decided_at=NOW)
    # Neither sees the subdistrict as a whole: for them it is not there.
    refused(
        lambda: batch_services.batch_publish(actor=eworld.actor("secretary"), subdistrict=sub),
        Http404,
    )
    refused(
        lambda: batch_services.batch_publish(actor=eworld.actor("ent_a"), subdistrict=sub), Http404
    )
    refused(
        lambda: batch_services.batch_publish(actor=eworld.actor("analyst"), subdistrict=sub),
        PermissionDenied,
    )
    assert refused(
        lambda: batch_services.batch_publish(
            actor=eworld.actor("desk"), subdistrict=eworld.nodes["village_a"]
        )
    ) == {"subdistrict": ["Batches are published by a subdistrict."]}
    assert refused(
        lambda: batch_services.batch_publish(
            actor=eworld.actor("desk"), subdistrict=sub, on=dt.date(2020, 2, 11)
        )
    ) == {"on": ["A batch cannot be published on a future day."]}
    assert Batch.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_one_wins(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite writes are serial)")
    from tests.world import build_world

    from .world import add_enterprise_world

    world = add_enterprise_world(build_world(with_tokens=False))
    app = make_application(world)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(name: str, call) -> None:
        # A new thread starts in the default language; the message is read inside.
        with translation.override("en"):
            try:
                mine = Application.objects.get(pk=app.pk)  # each reviewer read version 1
                start.wait()
                call(world.actor(name), mine)
                outcomes.append("ok")
            except ConcurrentEditError as exc:
                outcomes.append(str(exc))
            finally:
                connections.close_all()

    threads = [
        threading.Thread(
            target=decide,
            args=("desk", lambda a, m: services.review_approve(actor=a, application=m, version=1)),
        ),
        threading.Thread(
            target=decide,
            args=(
                "hq",
                lambda a, m: services.review_reject(
                    actor=a, application=m, version=1, reason="不符合"
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    (lost,) = [o for o in outcomes if o != "ok"]
    assert lost.startswith("Someone else changed this record"), outcomes
    assert ApplicationEvent.objects.filter(application=app).count() == 1
    app.refresh_from_db()
    assert app.version == 2
