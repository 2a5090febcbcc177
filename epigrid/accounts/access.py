"""Deny-by-default access on two axes: capability (what) and jurisdiction subtree (where).

Every view and API endpoint is wrapped by `requires(capability)` or marked `public`;
tests walk the URL resolver and the OpenAPI schema to prove it.
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from epigrid.geo.models import within_q

from .roles import ROLE_CAPABILITIES, Capability

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Grant:
    role: str
    code: str
    path: str


@dataclass(frozen=True)
class Actor:
    """Who is acting, with the jurisdiction subtrees each of their roles covers."""

    user: Any = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    # The operator at the command line (scenario builds, imports run by hand): trusted with
    # everything, audited as "system".
    system: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def paths(self, capability: Capability) -> list[str]:
        """The outermost subtrees in which the actor holds `capability`."""
        if self.system:
            return [""]
        paths = sorted(
            {g.path for g in self.grants if capability in ROLE_CAPABILITIES.get(g.role, ())}
        )
        outermost: list[str] = []
        for path in paths:
            if not any(path.startswith(o) for o in outermost):
                outermost.append(path)
        return outermost

    def has(self, capability: Capability) -> bool:
        """Holds `capability` somewhere."""
        return bool(self.paths(capability))

    def can(self, capability: Capability, path: str) -> bool:
        """Holds `capability` over the node (or row) with materialized path `path`."""
        return any(path.startswith(p) for p in self.paths(capability))

    def sees(self, path: str) -> bool:
        """The row lies inside some subtree the actor was given (any role)."""
        return self.system or any(path.startswith(g.path) for g in self.grants)

    @property
    def label(self) -> str:
        return self.user.username if self.user else "system"


SYSTEM = Actor(system=True)


def actor_for(user: Any) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor()
    from .models import RoleAssignment

    grants = tuple(
        Grant(role=a.role, code=a.jurisdiction.code, path=a.jpath)
        for a in RoleAssignment.objects.filter(user=user, active=True).select_related(
            "jurisdiction"
        )
        if a.jurisdiction.active_until is None
    )
    return Actor(user=user, grants=grants)


def request_actor(request: HttpRequest) -> Actor:
    cached = getattr(request, "_actor", None)
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if cached is None or cached.user is not user:
        cached = actor_for(user)
        request._actor = cached  # type: ignore[attr-defined]
    return cached


def scope(queryset: QuerySet[M], actor: Actor, capability: Capability, field: str = "jpath"):
    """Rows inside the subtrees where the actor holds `capability`; none when there are none."""
    if actor.system:
        return queryset
    paths = actor.paths(capability)
    if not paths:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= within_q(path, field)
    return queryset.filter(condition)


def get_for_actor(
    queryset: QuerySet[M], actor: Actor, capability: Capability, field: str = "jpath", **lookup
) -> M:
    """The object, or 404 when it does not exist or lies outside the actor's scope (same answer)."""
    try:
        return scope(queryset, actor, capability, field).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def require_can(actor: Actor, capability: Capability, path: str) -> None:
    """For writes: 404 when the target is outside everything the actor sees, 403 when it is
    visible but the actor's role there may not do this."""
    if actor.can(capability, path):
        return
    if actor.sees(path):
        raise PermissionDenied
    raise Http404


def requires(capability: Capability) -> Callable[[F], F]:
    """Declares and enforces the capability of a page view or API endpoint."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            actor = request_actor(request)
            if not actor.is_authenticated:
                # API requests were already refused with 401 by token auth.
                return redirect_to_login(request.get_full_path())
            if not actor.has(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def requires_any(*capabilities: Capability) -> Callable[[F], F]:
    """Like `requires`, for a page or endpoint that people of different sides reach with
    different capabilities (the desk with ENTERPRISES_VIEW, an enterprise user with
    ENTERPRISE_SELF); what each of them then sees is the selector's scope. Declared as
    "a|b"."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            actor = request_actor(request)
            if not actor.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(actor.has(c) for c in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = "|".join(str(c) for c in capabilities)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Marks a view as reachable without any capability (login page, language switch)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def declared_capability(view: Any) -> str | None:
    """What a view declares: a capability, 'public', or None (a bug the URL-walk test catches)."""
    for candidate in _unwrap(view):
        if getattr(candidate, "public", False):
            return "public"
        if cap := getattr(candidate, "capability", None):
            return str(cap)
    return None


def _unwrap(view: Any) -> Iterable[Any]:
    seen = 0
    while view is not None and seen < 10:
        yield view
        view = getattr(view, "view_class", None) or getattr(view, "__wrapped__", None)
        seen += 1
