"""core.rows: the cached single-row INSERT/UPDATE store what save() and update() would."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.audit.services import audit_record
from epigrid.core.rows import update_one


@pytest.mark.django_db
def test_an_audit_event_keeps_null_and_json_apart():
    audit_record(
        actor=SYSTEM, action="policy.set", jpath="440785.", before=None, after={"a": [1, "二"]}
    )
    audit_record(actor=SYSTEM, action="policy.set", jpath="440785.", before={}, after=None)
    first, second = AuditEvent.objects.order_by("id")
    assert (first.before, first.after) == (None, {"a": [1, "二"]})
    assert (second.before, second.after) == ({}, None)
    assert AuditEvent.objects.filter(before__isnull=True).count() == 1
    assert first.jurisdiction_code == "440785" and first.actor_username == "system"
    assert abs(first.at - timezone.now()) < dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_update_one_changes_one_row_and_honours_the_null_guard(world):
    from epigrid.quarantine.models import FollowUpSlot, ObservationCase
    from tests.quarantine.world import make_case

    case = make_case(world)
    slot = FollowUpSlot.objects.filter(case=case).order_by("deadline").first()
    when = timezone.now()
    assert update_one(FollowUpSlot, slot.pk, {"done_at": when}, only_if_null="done_at") == 1
    assert update_one(FollowUpSlot, slot.pk, {"done_at": when}, only_if_null="done_at") == 0
    assert FollowUpSlot.objects.get(pk=slot.pk).done_at == when
    assert FollowUpSlot.objects.filter(done_at__isnull=False).count() == 1
    update_one(ObservationCase, case.pk, {"last_temperature": Decimal("37.4"), "team": None})
    case.refresh_from_db()
    assert (case.last_temperature, case.team_id) == (Decimal("37.4"), None)


@pytest.mark.django_db
def test_select_one_reads_what_the_orm_reads_whole_or_in_part(world):
    from django.db import connection

    from epigrid.core.rows import from_row, row_width, select_columns, select_one
    from epigrid.quarantine.models import FollowUpSlot, ObservationCase
    from tests.quarantine.world import make_case

    case = make_case(world)
    update_one(ObservationCase, case.pk, {"last_temperature": Decimal("36.6")})
    fresh = ObservationCase.objects.get(pk=case.pk)
    whole = select_one(ObservationCase, case.pk, for_update=True)
    names = [f.attname for f in ObservationCase._meta.concrete_fields]
    assert [getattr(whole, n) for n in names] == [getattr(fresh, n) for n in names]
    assert whole.policy == fresh.policy and whole._state.adding is False
    # A few fields, named in any order: those are loaded, the others deferred.
    part = select_one(ObservationCase, case.pk, fields=("team", "person", "closed_at", "jpath"))
    assert (part.pk, part.person_id, part.team_id, part.jpath, part.closed_at) == (
        fresh.pk,
        fresh.person_id,
        fresh.team_id,
        fresh.jpath,
        None,
    )
    assert part.get_deferred_fields() >= {"policy", "start_date", "jurisdiction_id"}
    assert part.start_date == fresh.start_date  # loaded on first use, as with only()
    slot = FollowUpSlot.objects.filter(case=case).order_by("deadline").first()
    assert select_one(FollowUpSlot, slot.pk, also={"case": case.pk}).deadline == slot.deadline
    assert select_one(FollowUpSlot, slot.pk, also={"case": case.pk + 1}) is None
    assert select_one(ObservationCase, case.pk + 1000) is None
    # A hand-written join read back into two instances.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select_columns(ObservationCase, 'c', ('jpath',))}, "  # noqa: S608
            f"{select_columns(FollowUpSlot, 's')} FROM quarantine_observationcase c "
            "JOIN quarantine_followupslot s ON s.case_id = c.id WHERE s.id = %s",
            [slot.pk],
        )
        row = cursor.fetchone()
    joined = from_row(FollowUpSlot, row, row_width(ObservationCase, ("jpath",)))
    assert from_row(ObservationCase, row, fields=("jpath",)).jpath == case.jpath
    assert [getattr(joined, f.attname) for f in FollowUpSlot._meta.concrete_fields] == [
        getattr(slot, f.attname) for f in FollowUpSlot._meta.concrete_fields
    ]


@pytest.mark.django_db
def test_insert_one_stores_what_create_would(world):
    from epigrid.core.rows import insert_one
    from epigrid.quarantine.models import FollowUp, FollowUpSlot
    from tests.quarantine.world import make_case

    case = make_case(world)
    slot = FollowUpSlot.objects.filter(case=case).order_by("deadline").first()
    values = {
        "case": case,
        "jpath": case.jpath,
        "slot": slot,
        "method": "video",
        "taken_at": timezone.now(),
        "staff": world.staff["grid_a.cadre"],
        "temperature": Decimal("37.3"),
        "site": "ear",
        "symptoms": ["cough"],
        "result": "unwell",
        "note": "",
    }
    made = insert_one(FollowUp(**values))
    created = FollowUp.objects.create(**values)
    names = [
        f.attname for f in FollowUp._meta.concrete_fields if f.attname not in ("id", "created_at")
    ]
    one, two = FollowUp.objects.get(pk=made.pk), FollowUp.objects.get(pk=created.pk)
    assert [getattr(one, n) for n in names] == [getattr(two, n) for n in names]
    assert one.recorded_by_id is None and one.created_at is not None


def _driver_path() -> bool:
    """Where `run` sends a statement when no query is being logged: True for the driver's
    own cursor, False for Django's."""
    from django.db import connection

    return connection.connection is not None and not connection.queries_logged


@pytest.mark.django_db
def test_run_gives_the_same_answers_by_both_paths(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from epigrid.core.rows import run
    from epigrid.quarantine.models import FollowUpSlot
    from tests.quarantine.world import make_case

    case = make_case(world)
    slots = FollowUpSlot.objects.filter(case=case).count()
    sql_count = 'SELECT COUNT(*) FROM "quarantine_followupslot" WHERE "case_id" = %s'
    sql_touch = 'UPDATE "quarantine_followupslot" SET "case_open" = %s WHERE "case_id" = %s'
    connection.ensure_connection()
    assert _driver_path()
    assert run(sql_count, [case.pk]) == (slots,)
    assert run(sql_count, [case.pk + 10_000]) == (0,)
    assert run(sql_touch, [False, case.pk], fetch=False) == slots
    # Counting queries (tests, DEBUG) takes Django's cursor, so the count sees it.
    with CaptureQueriesContext(connection) as ctx:
        assert run(sql_count, [case.pk]) == (slots,)
        assert run(sql_touch, [True, case.pk], fetch=False) == slots
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["SELECT", "UPDATE"]
    assert FollowUpSlot.objects.filter(case=case, case_open=True).count() == slots


@pytest.mark.django_db(transaction=True)
def test_run_turns_driver_errors_into_djangos_and_refuses_a_broken_transaction(world):
    from django.db import IntegrityError, connection, transaction
    from django.db.transaction import TransactionManagementError

    from epigrid.core.rows import run
    from epigrid.quarantine.models import FollowUp

    before = FollowUp.objects.count()
    sql = 'INSERT INTO "audit_auditevent" ("id") VALUES (%s)'  # NOT NULL columns missing
    with transaction.atomic():
        connection.ensure_connection()
        assert _driver_path()
        with pytest.raises(IntegrityError), transaction.atomic():
            run(sql, [1], fetch=False)
        # The savepoint rolled back: the transaction goes on.
        assert run('SELECT COUNT(*) FROM "quarantine_followup"', []) == (before,)
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            run(sql, [1], fetch=False)
        # The error left the transaction broken: a statement after it is refused, as
        # Django's own cursor refuses it, and nothing is written.
        assert connection.needs_rollback
        with pytest.raises(TransactionManagementError):
            run(sql, [2], fetch=False)
    assert FollowUp.objects.count() == before


@pytest.mark.django_db
def test_postgresql_prepares_the_fixed_statements_once_per_connection(world):
    from django.db import connection

    from epigrid.core.rows import run

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    sql = 'SELECT COUNT(*) FROM "quarantine_followupslot" WHERE "case_id" = %s'
    for key in range(3):
        assert run(sql, [key]) == (0,)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT COUNT(*) FROM "quarantine_followupslot" WHERE%'],
        )
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_statements_run_together_store_what_they_would_one_by_one(world):
    """run_together: one statement on PostgreSQL (a reserved id named by the others),
    one after the other elsewhere; the same rows either way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from epigrid.audit.services import audit_event
    from epigrid.core.rows import (
        insert_statement,
        reserve_id_sql,
        run,
        run_together,
        update_statement,
    )
    from epigrid.quarantine.models import FollowUp, FollowUpSlot, ObservationCase
    from tests.quarantine.world import make_case

    case = make_case(world)
    slot = FollowUpSlot.objects.filter(case=case).order_by("deadline").first()
    (reserved,) = run(f"SELECT {reserve_id_sql(FollowUp)}", [])
    assert (reserved is None) == (connection.vendor != "postgresql")
    at = timezone.now()
    followup = FollowUp(
        pk=reserved,
        case=case,
        jpath=case.jpath,
        slot=slot,
        method="phone",
        taken_at=at,
        temperature=Decimal("36.8"),
        site="axillary",
        result="well",
    )
    statements = [] if reserved is None else [insert_statement(followup)]
    if reserved is None:
        from epigrid.core.rows import insert_one

        insert_one(followup)
    statements += [
        update_statement(
            FollowUpSlot, slot.pk, {"done_at": at, "followup": followup.pk}, only_if_null="done_at"
        ),
        update_statement(ObservationCase, case.pk, {"last_temperature": Decimal("36.8")}),
        insert_statement(
            audit_event(actor=SYSTEM, action="followup.record", obj=followup, jpath=case.jpath)
        ),
    ]
    with CaptureQueriesContext(connection) as ctx:
        run_together(statements)
    sent = [q["sql"] for q in ctx.captured_queries]
    if connection.vendor == "postgresql":
        assert len(sent) == 1 and sent[0].startswith("WITH w0 AS (INSERT INTO")
    else:
        assert [s.split()[0] for s in sent] == ["UPDATE", "UPDATE", "INSERT"]
    stored = FollowUp.objects.get(pk=followup.pk)
    assert (stored.slot_id, stored.temperature, stored.created_at) == (
        slot.pk,
        Decimal("36.8"),
        followup.created_at,
    )
    slot.refresh_from_db()
    assert (slot.done_at, slot.followup_id) == (at, followup.pk)
    assert ObservationCase.objects.get(pk=case.pk).last_temperature == Decimal("36.8")
    event = AuditEvent.objects.get(action="followup.record")
    assert (event.entity_type, event.entity_id) == ("quarantine.followup", str(followup.pk))
    # The next reservation is past the row inserted with the reserved id.
    if reserved is not None:
        assert run(f"SELECT {reserve_id_sql(FollowUp)}", [])[0] > reserved
        assert FollowUp.objects.create(**{
            "case": case, "jpath": case.jpath, "method": "phone", "taken_at": at,
            "result": "not_reached",
        }).pk > reserved  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_statements_run_together_land_all_or_none(world):
    from django.db import IntegrityError, transaction

    from epigrid.audit.services import audit_event, audit_record
    from epigrid.core.rows import insert_statement, run_together, update_statement
    from epigrid.quarantine.models import ObservationCase
    from tests.quarantine.world import make_case

    case = make_case(world)
    taken = audit_record(actor=SYSTEM, action="policy.set", jpath="440785.")
    clash = audit_event(actor=SYSTEM, action="policy.set", jpath="440785.")
    clash.pk = taken.pk  # its primary key is taken
    events = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        run_together(
            [
                update_statement(ObservationCase, case.pk, {"last_temperature": Decimal("39")}),
                insert_statement(clash),
            ]
        )
    assert ObservationCase.objects.get(pk=case.pk).last_temperature is None
    assert AuditEvent.objects.count() == events
