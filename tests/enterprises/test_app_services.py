"""The enterprise's side of an application: draft, edit, submit, supplement, withdraw, with
their refusals (nothing written), events and audit, and the answer clock."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.enterprises.models import Application, ApplicationEvent, Status
from epigrid.enterprises.selectors.applications import application_clock
from epigrid.enterprises.services import applications as services
from epigrid.enterprises.services.materials import material_upload
from epigrid.policy.calendar import answer_due

from ..access_runner import db_fingerprint
from .app_helpers import draft, file_items, hire, returned, submitted, upload, upload_all

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def create(world, who: str, key: str = "a", **fields):
    values = {"planned_on": TODAY() + dt.timedelta(days=2), **fields}
    return services.application_create(
        actor=world.actor(who), enterprise=world.enterprises[key], **values
    )


def test_the_enterprise_user_and_the_desk_make_a_draft_audited(eworld):
    mine = create(eworld, "ent_a", masks=500, isolation_room=True, isolation_note=" 三楼  东侧 ")
    assert (mine.status, mine.masks, mine.isolation_note) == (Status.DRAFT, 500, "三楼 东侧")
    assert mine.jpath == eworld.enterprises["a"].jpath
    assert mine.created_by == eworld.users["ent_a"]
    event = AuditEvent.objects.get(action="application.create", entity_id=str(mine.pk))
    assert event.actor_username == "ent_a"
    in_person = create(eworld, "desk", key="b")
    assert in_person.enterprise == eworld.enterprises["b"]


@pytest.mark.parametrize(
    ("who", "key", "error"),
    [("ent_a", "b", Http404), ("ent_a", "a2", Http404), ("worker_a", "a", Exception)],
)
def test_nobody_makes_one_for_an_enterprise_out_of_reach(eworld, who, key, error):
    before = db_fingerprint()
    with pytest.raises(error):
        create(eworld, who, key=key)
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"planned_on": dt.date(2020, 1, 1)}, "planned_on", "cannot be in the past"),
        ({"planned_on": "tomorrow"}, "planned_on", "Enter a valid date"),
        ({"masks": -1}, "masks", "from 0 to 10000000"),
        ({"thermometers": 10**9}, "thermometers", "from 0 to 100000"),
        ({"sanitizer_bottles": "many"}, "sanitizer_bottles", "whole number"),
        ({"isolation_note": "x" * 201}, "isolation_note", "At most 200"),
    ],
)
def test_bad_values_are_refused_by_field(eworld, fields, field, message):
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        create(eworld, "ent_a", **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert db_fingerprint() == before


def test_planned_more_than_90_days_ahead_is_refused(eworld):
    with pytest.raises(ValidationError) as exc:
        create(eworld, "ent_a", planned_on=TODAY() + dt.timedelta(days=91))
    assert "at most 90 days" in exc.value.message_dict["planned_on"][0]
    assert create(eworld, "ent_a", planned_on=TODAY() + dt.timedelta(days=90)).pk


def test_one_open_application_per_enterprise_with_a_message(eworld):
    create(eworld, "ent_a")
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        create(eworld, "desk")
    assert "already has an open application" in exc.value.messages[0]
    assert db_fingerprint() == before


def test_update_is_version_checked_and_only_while_draft_or_returned(eworld):
    app = create(eworld, "ent_a")
    services.application_update(
        actor=eworld.actor("ent_a"), application=app, version=app.version, masks=80
    )
    assert (app.masks, app.version) == (80, 2)
    stale = Application.objects.get(pk=app.pk)
    stale.version = 1
    before = db_fingerprint()
    with pytest.raises(ConcurrentEditError):
        services.application_update(
            actor=eworld.actor("ent_a"), application=stale, version=1, masks=1
        )
    assert db_fingerprint() == before
    assert AuditEvent.objects.filter(action="application.update").count() == 1


def test_submit_names_the_missing_materials_and_an_empty_roster(eworld):
    app = draft(eworld)
    upload_all(app, skip=("training", "disinfection"))
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            actor=eworld.actor("ent_a"), application=app, version=app.version
        )
    errors = exc.value.message_dict
    assert errors["materials"] == [
        "Upload the materials still missing: Publicity and training, "
        "Cleaning and disinfection plan."
    ]
    assert "no employee" in errors["roster"][0]
    assert db_fingerprint() == before


def test_submit_keeps_the_checklist_the_roster_counts_and_starts_the_clock(eworld):
    app = draft(eworld)
    hire(eworld, person="person_a", risk=True)
    hire(eworld, person="other_a")
    upload_all(app)
    app = services.application_submit(
        actor=eworld.actor("ent_a"), application=app, version=app.version
    )
    assert app.status == Status.SUBMITTED
    assert [i["code"] for i in app.checklist if i.get("file")] == file_items()
    assert (app.staff_count, app.staff_from_risk_areas) == (2, 1)
    assert app.first_submitted_at == app.submitted_at
    assert app.due_at == answer_due(app.submitted_at, 2)
    event = ApplicationEvent.objects.get(application=app)
    assert (event.action, event.from_status, event.to_status) == ("submit", "draft", "submitted")
    assert event.actor == eworld.users["ent_a"]
    assert (
        AuditEvent.objects.filter(action="application.submit", entity_id=str(app.pk)).count() == 1
    )


def test_submit_twice_is_refused_with_a_message(eworld):
    app = submitted(eworld)
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            actor=eworld.actor("ent_a"), application=app, version=app.version
        )
    assert "cannot be changed this way" in exc.value.messages[0]


def test_supplement_needs_a_fresh_upload_of_each_missing_item(eworld):
    app = returned(eworld, missing=("training", "mechanism"))
    material_upload(
        actor=eworld.actor("ent_a"), application=app, item="training", upload=upload("t.pdf")
    )
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        services.application_supplement(
            actor=eworld.actor("ent_a"), application=app, version=app.version
        )
    assert exc.value.message_dict["materials"] == [
        "Still missing after the return: Internal responsibility mechanism."
    ]
    assert db_fingerprint() == before
    material_upload(
        actor=eworld.actor("ent_a"), application=app, item="mechanism", upload=upload("m.pdf")
    )
    app = services.application_supplement(
        actor=eworld.actor("ent_a"), application=app, version=app.version
    )
    assert (app.status, app.missing_items) == (Status.SUBMITTED, [])
    assert app.due_at == answer_due(app.submitted_at, 2)
    assert app.first_submitted_at < app.submitted_at
    event = ApplicationEvent.objects.filter(application=app).latest("id")
    assert (event.action, event.items) == ("supplement", ["training", "mechanism"])


def test_withdraw_stops_the_clock_and_frees_the_enterprise_for_a_new_one(eworld):
    app = submitted(eworld)
    app = services.application_withdraw(
        actor=eworld.actor("ent_a"), application=app, version=app.version, note="推迟复工"
    )
    assert (app.status, app.due_at) == (Status.WITHDRAWN, None)
    assert (
        ApplicationEvent.objects.filter(application=app, action="withdraw").get().note == "推迟复工"
    )
    assert create(eworld, "ent_a").status == Status.DRAFT


def test_withdrawn_cannot_be_withdrawn_again(eworld):
    app = draft(eworld)
    app = services.application_withdraw(
        actor=eworld.actor("ent_a"), application=app, version=app.version
    )
    with pytest.raises(ValidationError):
        services.application_withdraw(
            actor=eworld.actor("ent_a"), application=app, version=app.version
        )


def test_a_stale_submit_is_a_conflict(eworld):
    app = draft(eworld)
    hire(eworld)
    upload_all(app)
    seen = app.version
    services.application_update(actor=eworld.actor("desk"), application=app, version=seen, masks=9)
    stale = Application.objects.get(pk=app.pk)
    before = db_fingerprint()
    with pytest.raises(ConcurrentEditError):
        services.application_submit(actor=eworld.actor("ent_a"), application=stale, version=seen)
    assert db_fingerprint() == before


@pytest.mark.django_db(transaction=True)
def test_two_submits_racing_one_wins_one_conflicts(eworld):
    app = draft(eworld)
    hire(eworld)
    upload_all(app)
    version = app.version
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=5)
            mine = Application.objects.get(pk=app.pk)
            services.application_submit(
                actor=eworld.actor("ent_a"), application=mine, version=version
            )
            outcomes.append("ok")
        except (ConcurrentEditError, ValidationError):
            outcomes.append("refused")
        except Exception as exc:
            outcomes.append(f"refused:{type(exc).__name__}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"]
    assert ApplicationEvent.objects.filter(application=app, action="submit").count() == 1
    assert Application.objects.get(pk=app.pk).version == version + 1


def test_the_clock_counts_working_days_and_hours_overdue(eworld):
    app = submitted(eworld)
    # Submitted on Friday 2020-02-14: due at the end of Tuesday the 18th.
    friday = timezone.make_aware(dt.datetime(2020, 2, 14, 10, 0))
    app.due_at = answer_due(friday, 2)
    assert timezone.localtime(app.due_at).date() == dt.date(2020, 2, 19)
    clock = application_clock(app, friday)
    assert (clock["overdue"], clock["workdays_left"], clock["text"]) == (
        False,
        2,
        "2 working days left",
    )
    monday = timezone.make_aware(dt.datetime(2020, 2, 17, 9, 0))
    assert application_clock(app, monday)["text"] == "1 working day left"
    tuesday = timezone.make_aware(dt.datetime(2020, 2, 18, 23, 0))
    assert application_clock(app, tuesday)["text"] == "Due today"
    late = app.due_at + dt.timedelta(hours=3, minutes=20)
    assert application_clock(app, late) == {
        "due_at": app.due_at,
        "overdue": True,
        "workdays_left": 0,
        "text": "Overdue by 3 hours",
    }
    # From two days on the desk reads days, not hours.
    assert application_clock(app, app.due_at + dt.timedelta(hours=47))["text"] == (
        "Overdue by 47 hours"
    )
    assert application_clock(app, app.due_at + dt.timedelta(days=3, hours=5))["text"] == (
        "Overdue by 3 days"
    )
    app.status = Status.RETURNED
    assert application_clock(app, friday) is None
