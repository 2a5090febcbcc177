"""Writes to the register. Each service validates, runs in one transaction and is audited."""

from .arrivals import arrival_record, risk_area_create, risk_area_end
from .categories import category_assign, category_end
from .housing import building_create, building_find_or_create, unit_create, unit_update
from .merge import person_merge, register_mover
from .persons import PersonInput, person_register, person_update, person_upsert
from .residencies import residency_end, residency_start

__all__ = [
    "PersonInput",
    "arrival_record",
    "building_create",
    "building_find_or_create",
    "category_assign",
    "category_end",
    "person_merge",
    "person_register",
    "person_update",
    "person_upsert",
    "register_mover",
    "residency_end",
    "residency_start",
    "risk_area_create",
    "risk_area_end",
    "unit_create",
    "unit_update",
]
