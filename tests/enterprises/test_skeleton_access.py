"""The reach of enterprises.access: staff by jurisdiction, an enterprise user its own
enterprise only, everybody else nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.enterprises.access import get_reached, reach, require_reach
from epigrid.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db
VIEW = Capability.ENTERPRISES_VIEW


def names(world, who):
    rows = reach(Enterprise.objects.all(), world.actor(who), VIEW, enterprise_field="")
    return sorted(rows.values_list("name", flat=True))


def test_each_actor_reaches_exactly_its_enterprises(eworld):
    every = ["郁文制衣厂", "锦岗五金厂", "锦岗食品厂"]
    assert names(eworld, "hq") == every
    assert names(eworld, "desk") == every
    assert names(eworld, "secretary") == ["锦岗五金厂", "锦岗食品厂"]
    assert names(eworld, "inspector") == ["锦岗五金厂", "锦岗食品厂"]
    assert names(eworld, "worker_a") == ["锦岗五金厂"]
    assert names(eworld, "ent_a") == ["锦岗五金厂"]
    assert names(eworld, "ent_b") == ["郁文制衣厂"]
    assert reach(Enterprise.objects.all(), Actor(), VIEW, enterprise_field="").count() == 0


def test_an_enterprise_user_gets_404_for_a_neighbour_in_its_own_grid(eworld):
    other = eworld.enterprises["a2"]
    mine = eworld.enterprises["a"]
    actor = eworld.actor("ent_a")
    with pytest.raises(Http404):
        get_reached(Enterprise.objects.all(), actor, VIEW, enterprise_field="", pk=other.pk)
    assert get_reached(Enterprise.objects.all(), actor, VIEW, enterprise_field="", pk=mine.pk)
    with pytest.raises(Http404):
        require_reach(
            actor, Capability.ENTERPRISES_MANAGE, enterprise_id=other.pk, path=other.jpath
        )
    require_reach(actor, None, enterprise_id=mine.pk, path=mine.jpath)


def test_staff_without_the_capability_get_403_where_they_see(eworld):
    mine = eworld.enterprises["a"]
    with pytest.raises(PermissionDenied):
        require_reach(
            eworld.actor("analyst"),
            Capability.ENTERPRISES_MANAGE,
            enterprise_id=mine.pk,
            path=mine.jpath,
            self_ok=False,
        )
    with pytest.raises(Http404):
        require_reach(
            eworld.actor("worker_b"),
            Capability.ENTERPRISES_MANAGE,
            enterprise_id=mine.pk,
            path=mine.jpath,
        )
