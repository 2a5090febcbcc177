"""Enterprise work resumption (复工复产): the enterprise register, applications to reopen with
their materials and review, published batches of approvals, task-force inspections and
rectifications, liaison leaders and enterprise needs, consultations and the FAQ, and the
employees' daily health after reopening.

Every row carries the `jpath` of its enterprise's grid, so staff reach it by path scope;
an enterprise user reaches only the rows of its own enterprise (enterprises.access).
Which conditions an application must meet and what an inspection checks are dated policy
data (policy keys `resumption_checklist`, `inspection_checklist`); an application and an
inspection keep the list they were judged under.
"""

from .applications import (
    DECIDED,
    PENDING,
    TRANSITIONS,
    Action,
    Application,
    ApplicationEvent,
    Batch,
    Material,
    Status,
)
from .field import (
    Channel,
    Consultation,
    Inspection,
    InspectionKind,
    Liaison,
    Need,
    NeedKind,
    NeedStatus,
    Rectification,
    TaskForce,
)
from .register import (
    Employee,
    Enterprise,
    EnterpriseMember,
    Health,
    HealthReport,
    Industry,
    Size,
)

__all__ = [
    "DECIDED",
    "PENDING",
    "TRANSITIONS",
    "Action",
    "Application",
    "ApplicationEvent",
    "Batch",
    "Channel",
    "Consultation",
    "Employee",
    "Enterprise",
    "EnterpriseMember",
    "Health",
    "HealthReport",
    "Industry",
    "Inspection",
    "InspectionKind",
    "Liaison",
    "Material",
    "Need",
    "NeedKind",
    "NeedStatus",
    "Rectification",
    "Size",
    "Status",
    "TaskForce",
]
