"""The checkpoint register's services: set up, edit (version-checked), end; posts made as
roster posts; every refusal names its field and changes nothing; every write is audited."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from epigrid.checkpoints.models import Checkpoint, CheckpointPost, PostRole
from epigrid.checkpoints.services import checkpoints as services
from epigrid.core.errors import ConcurrentEditError
from epigrid.rosters.models import Post, PostKind, Shift

from .register_world import DAY, frozen, last_audit, make_check, register_state
from .world import local

pytestmark = pytest.mark.django_db


def create(world, who="hq", grid="grid_a", **kw):
    args = {
        "name": "锦岗村口",
        "kind": "village_entrance",
        "active_from": DAY,
        "opens_at": "06:00",
        "closes_at": "22:00",
    }
    args.update(kw)
    with frozen():
        return services.checkpoint_create(
            actor=world.actor(who), jurisdiction=world.nodes[grid], **args
        )


def refused(call, field: str, contains: str = "") -> None:
    before = register_state()
    with pytest.raises(ValidationError) as exc, frozen():
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    if contains:
        assert contains in " ".join(exc.value.message_dict[field])
    assert register_state() == before


# --- set up -------------------------------------------------------------------------------


def test_create_registers_the_checkpoint_with_a_random_public_code(world):
    c = create(world, location="锦岗村委会路口", latitude="22.183456", longitude="112.305")
    assert (c.name, c.kind, c.jpath) == ("锦岗村口", "village_entrance", world.nodes["grid_a"].path)
    assert (c.opens_at, c.closes_at) == (360, 1320)
    assert c.latitude == Decimal("22.183456") and c.longitude == Decimal("112.305000")
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", c.public_code)
    event = last_audit("checkpoint.create")
    assert event.entity_id == str(c.pk) and event.actor_username == "hq"
    assert event.after["public_code"] == c.public_code
    other = create(world, name="锦岗村东口")
    assert other.public_code != c.public_code


def test_a_drawn_code_already_taken_is_drawn_again(world):
    first = create(world)
    codes = iter([first.public_code, "Zz9_Zz9-"])
    with mock.patch.object(services, "new_public_code", side_effect=lambda: next(codes)):
        second = create(world, name="第二个")
    assert second.public_code == "Zz9_Zz9-"


def test_same_times_mean_round_the_clock_and_windows_may_run_overnight(world):
    assert (lambda c: (c.opens_at, c.closes_at))(
        create(world, opens_at="08:00", closes_at="08:00")
    ) == (0, 1440)
    night = create(world, name="夜间卡口", opens_at="22:00", closes_at="06:00")
    assert (night.opens_at, night.closes_at) == (1320, 360)
    whole = create(world, name="全天卡口", opens_at=0, closes_at=0)
    assert (whole.opens_at, whole.closes_at) == (0, 1440)


@pytest.mark.parametrize(
    ("kw", "field", "contains"),
    [
        ({"name": "   "}, "name", "required"),
        ({"name": "长" * 101}, "name", "100"),
        ({"kind": "airport"}, "kind", "allowed"),
        ({"opens_at": "25:00"}, "opens_at", "HH:MM"),
        ({"closes_at": "8点"}, "closes_at", "HH:MM"),
        ({"opens_at": 1440}, "opens_at", "HH:MM"),
        ({"latitude": "22.1"}, "longitude", "both"),
        ({"latitude": "91", "longitude": "112"}, "latitude", "90"),
        ({"latitude": "22", "longitude": "abc"}, "longitude", "number"),
        ({"latitude": "NaN", "longitude": "112"}, "latitude", ""),
        ({"location": "路" * 201}, "location", "200"),
        ({"active_from": "2020-02-10"}, "active_from", "date"),
        ({"active_from": dt.date(2020, 1, 1)}, "jurisdiction", "not active"),
    ],
)
def test_bad_input_is_refused_by_field_and_changes_nothing(world, kw, field, contains):
    refused(lambda: create(world, **kw), field, contains)


def test_a_checkpoint_belongs_to_a_small_grid(world):
    refused(lambda: create(world, grid="village_a"), "jurisdiction", "small grid")


def test_two_current_checkpoints_of_a_grid_do_not_share_a_name(world):
    create(world)
    refused(lambda: create(world, name=" 锦岗村口 "), "name", "already")
    create(world, grid="grid_a2")  # another grid may


@pytest.mark.parametrize(
    ("who", "grid", "error"),
    [
        ("worker_a", "grid_a", PermissionDenied),
        ("analyst", "grid_a", PermissionDenied),
        ("secretary", "grid_b", Http404),
        ("worker_b", "grid_a", Http404),
    ],
)
def test_only_managers_in_their_own_area_set_up_checkpoints(world, who, grid, error):
    before = register_state()
    with pytest.raises(error):
        create(world, who=who, grid=grid)
    assert register_state() == before


def test_the_secretary_sets_up_checkpoints_in_the_own_village(world):
    assert create(world, who="secretary", grid="grid_a2").jpath == world.nodes["grid_a2"].path


# --- edit ---------------------------------------------------------------------------------


def update(world, c, who="hq", version=None, **fields):
    with frozen():
        return services.checkpoint_update(
            actor=world.actor(who),
            checkpoint=c,
            version=c.version if version is None else version,
            **fields,
        )


def test_update_changes_what_is_given_and_is_audited(world):
    c = create(world)
    update(world, c, location="村委会门口", kind="road")
    c.refresh_from_db()
    assert (c.location, c.kind, c.name, c.version) == ("村委会门口", "road", "锦岗村口", 2)
    event = last_audit("checkpoint.update")
    assert event.before["kind"] == "village_entrance" and event.after["kind"] == "road"


def test_a_stale_version_is_refused_and_changes_nothing(world):
    c = create(world)
    update(world, c, name="新名字")
    before = register_state()
    with pytest.raises(ConcurrentEditError), frozen():
        services.checkpoint_update(actor=world.actor("hq"), checkpoint=c, version=1, name="旧")
    assert register_state() == before


def test_update_refuses_fields_it_does_not_edit_and_bad_values(world):
    c = create(world)
    refused(lambda: update(world, c, jurisdiction=world.nodes["grid_b"]), "jurisdiction")
    refused(lambda: update(world, c, closes_at="99:00"), "closes_at")
    refused(lambda: update(world, c, longitude="112.3"), "latitude", "both")
    other = create(world, name="东口")
    refused(lambda: update(world, other, name="锦岗村口"), "name", "already")


def test_new_name_and_hours_carry_over_to_the_current_posts(world):
    c = create(world)
    with frozen():
        link = services.checkpoint_post_add(
            actor=world.actor("hq"), checkpoint=c, role="persuasion"
        )
    c.refresh_from_db()
    update(world, c, name="锦岗新村口", opens_at="07:00", closes_at="24:00")
    post = Post.objects.get(pk=link.post_id)
    assert post.name == "锦岗新村口 · 劝导岗"
    assert (post.covers_from, post.covers_until) == (420, 1440)
    assert last_audit("checkpoint.update").after["posts_changed"] == 1


def test_worker_and_other_village_cannot_edit(world):
    c = create(world)
    for who, error in (("worker_a", PermissionDenied), ("analyst", PermissionDenied)):
        before = register_state()
        with pytest.raises(error):
            update(world, c, who=who, name="x")
        assert register_state() == before
    b = create(world, grid="grid_b", name="郁文村口")
    with pytest.raises(Http404):
        update(world, b, who="secretary", name="x")


# --- end ----------------------------------------------------------------------------------


def end(world, c, on, who="hq"):
    with frozen():
        return services.checkpoint_end(actor=world.actor(who), checkpoint=c, on=on)


def test_end_closes_the_checkpoint_and_its_posts(world):
    c = create(world)
    with frozen():
        link = services.checkpoint_post_add(actor=world.actor("hq"), checkpoint=c, role="tracking")
        shifts = Shift.objects.count()
    c.refresh_from_db()
    end(world, c, DAY + dt.timedelta(days=3))
    c.refresh_from_db()
    assert c.active_until == DAY + dt.timedelta(days=3)
    post = Post.objects.get(pk=link.post_id)
    assert post.active_until == DAY + dt.timedelta(days=3)
    assert Shift.objects.count() == shifts
    assert last_audit("checkpoint.end").after["posts_ended"] == 1
    refused(lambda: end(world, c, DAY + dt.timedelta(days=5)), "on", "already")
    refused(lambda: update(world, c, name="x"), "__all__", "ended")


def test_end_is_refused_before_the_start_or_over_checks_already_made(world):
    c = create(world)
    refused(lambda: end(world, c, DAY), "on", "after the start")
    make_check(c, at=local(DAY + dt.timedelta(days=2), 10, 0))
    refused(lambda: end(world, c, DAY + dt.timedelta(days=2)), "on", "2020-02-12")
    end(world, c, DAY + dt.timedelta(days=3))


# --- posts --------------------------------------------------------------------------------


def add_post(world, c, role, who="hq"):
    with frozen():
        return services.checkpoint_post_add(actor=world.actor(who), checkpoint=c, role=role)


def test_a_post_is_a_roster_post_of_the_grid_held_in_the_open_hours(world):
    c = create(world)
    link = add_post(world, c, PostRole.PERSUASION)
    post = link.post
    assert post.kind == PostKind.CHECKPOINT
    assert post.name == "锦岗村口 · 劝导岗"
    assert post.jurisdiction_id == world.nodes["grid_a"].pk and post.jpath == c.jpath
    assert (post.covers_from, post.covers_until) == (360, 1320)
    assert post.active_from == DAY
    assert last_audit("duty_post.create").entity_id == str(post.pk)
    assert last_audit("checkpoint_post.add").entity_id == str(link.pk)


def test_a_post_of_a_checkpoint_opening_later_starts_with_it(world):
    c = create(world, active_from=DAY + dt.timedelta(days=4))
    assert add_post(world, c, "publicity").post.active_from == DAY + dt.timedelta(days=4)


def test_one_current_post_per_role_and_only_known_roles(world):
    c = create(world)
    add_post(world, c, "persuasion")
    refused(lambda: add_post(world, c, "persuasion"), "role", "already")
    refused(lambda: add_post(world, c, "guard"), "role", "allowed")
    assert CheckpointPost.objects.filter(checkpoint=c).count() == 1


def test_ending_a_post_closes_its_roster_post_and_the_role_can_be_set_up_again(world):
    c = create(world)
    link = add_post(world, c, "tracking")
    old_post = link.post_id
    with frozen():
        services.checkpoint_post_end(actor=world.actor("hq"), checkpoint_post=link)
    assert Post.objects.get(pk=old_post).active_until == DAY + dt.timedelta(days=1)
    assert last_audit("checkpoint_post.end").entity_id == str(link.pk)
    with frozen(local(DAY + dt.timedelta(days=2), 9)):
        again = services.checkpoint_post_add(actor=world.actor("hq"), checkpoint=c, role="tracking")
    assert again.pk == link.pk and again.post_id != old_post
    assert Post.objects.get(pk=old_post).name == "锦岗村口 · 跟踪岗"  # history kept
    with frozen():
        refused(
            lambda: services.checkpoint_post_end(
                actor=world.actor("hq"),
                checkpoint_post=CheckpointPost.objects.get(pk=link.pk),
                on=DAY,
            ),
            "on",
        )


def test_workers_and_analysts_cannot_add_or_end_posts(world):
    c = create(world)
    link = add_post(world, c, "checking")
    for who in ("worker_a", "analyst"):
        before = register_state()
        with pytest.raises(PermissionDenied):
            add_post(world, c, "publicity", who=who)
        with pytest.raises(PermissionDenied), frozen():
            services.checkpoint_post_end(actor=world.actor(who), checkpoint_post=link)
        assert register_state() == before
    with pytest.raises(Http404):
        add_post(world, c, "publicity", who="worker_b")


def test_a_long_checkpoint_name_still_makes_a_valid_post_name(world):
    c = create(world, name="村" * 100)
    post = add_post(world, c, "publicity").post
    assert len(post.name) == 100 and post.name.endswith(" · 宣传岗")


def test_nothing_is_left_half_made_when_the_roster_refuses(world):
    c = create(world)
    before = register_state()
    with (
        mock.patch(
            "epigrid.rosters.services.post_create",
            side_effect=ValidationError({"name": "roster says no"}),
        ),
        pytest.raises(ValidationError),
    ):
        add_post(world, c, "publicity")
    assert register_state() == before
    assert Checkpoint.objects.count() == 1
