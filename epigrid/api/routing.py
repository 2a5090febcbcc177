"""A Router whose every operation states its capability in the OpenAPI schema (x-capability).

Endpoints are written as
    @router.get("/staff", response=...)
    @requires(Capability.STAFF_VIEW)
    def staff_list(request, ...): ...
`requires` enforces the capability; this router copies it into the schema, where the
schema-walk test checks that no operation lacks one.
"""

from typing import Any

from ninja import Router

from epigrid.accounts.access import declared_capability


class CapabilityRouter(Router):
    def add_api_operation(
        self, path: str, methods: list[str], view_func: Any, **kwargs: Any
    ) -> None:
        extra = dict(kwargs.pop("openapi_extra", None) or {})
        declared = declared_capability(view_func)
        if declared is not None:
            extra["x-capability"] = declared
        super().add_api_operation(path, methods, view_func, openapi_extra=extra or None, **kwargs)
