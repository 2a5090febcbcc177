"""Property: the indexed subtree filter selects exactly the nodes whose codes lie inside."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epigrid.geo.models import Jurisdiction, code_contains, path_of, within_q

segment = st.text(alphabet="0123456789ABCXYZabcxyz", min_size=1, max_size=4)
codes = st.lists(st.lists(segment, min_size=1, max_size=4), min_size=1, max_size=25)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=codes, probe=st.lists(segment, min_size=1, max_size=3))
def test_within_q_matches_code_containment(raw, probe):
    all_codes = sorted({"9" + ".".join(parts) for parts in raw})
    Jurisdiction.objects.bulk_create(
        Jurisdiction(
            code=c, path=path_of(c), kind="small_grid", name=c, depth=0, active_from="2020-01-01"
        )
        for c in all_codes
    )
    try:
        outer = "9" + ".".join(probe)
        got = set(
            Jurisdiction.objects.filter(within_q(path_of(outer), "path")).values_list(
                "code", flat=True
            )
        )
        assert got == {c for c in all_codes if code_contains(outer, c)}
    finally:
        Jurisdiction.objects.filter(code__in=all_codes).delete()
