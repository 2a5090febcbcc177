"""Writes: enterprise user accounts (the logins an enterprise acts through).

Who acts. Staff with ENTERPRISES_MANAGE over the enterprise (a village secretary,
headquarters) open accounts for it; they hold no ACCOUNTS_MANAGE, which the accounts
services ask of anyone making a login. The login this service makes can do one thing
only (ENTERPRISE_SELF over its own enterprise, enterprises.access), so the accounts
services run with the system's trust in the actor's name (`on_behalf`): the audit trail
says who opened the account, and no wider account can be made this way.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.models import RoleAssignment, User
from epigrid.accounts.roles import Capability, Role
from epigrid.accounts.services import role_grant, user_create
from epigrid.audit.services import audit_record
from epigrid.core.phones import normalize_phone
from epigrid.core.writes import clean_text

from ..access import require_reach
from ..models import Enterprise, EnterpriseMember


def on_behalf(actor: Actor) -> Actor:
    """The system's trust, in the actor's name (see the module's rule)."""
    return Actor(user=actor.user, grants=actor.grants, system=True)


@transaction.atomic
def enterprise_user_create(
    *,
    actor: Actor,
    enterprise: Enterprise,
    username: str,
    full_name: str,
    phone: str,
    password: str,
) -> EnterpriseMember:
    """Opens a login for `enterprise`: the user, its ENTERPRISE role at the enterprise's
    grid and the membership. Needs ENTERPRISES_MANAGE over the enterprise. Audited
    "enterprise_user.create" (and by the accounts services)."""
    require_reach(
        actor,
        Capability.ENTERPRISES_MANAGE,
        enterprise_id=enterprise.pk,
        path=enterprise.jpath,
        self_ok=False,
    )
    errors: dict[str, list[str]] = {}
    values = {}
    for field, clean in (
        ("full_name", lambda: clean_text(full_name, "full_name", 100)),
        ("phone", lambda: normalize_phone(phone or "")),
        ("username", lambda: clean_text(username, "username", 150)),
    ):
        try:
            values[field] = clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if not password:
        errors.setdefault("password", []).append(_("This field is required."))
    if errors:
        raise ValidationError(errors)
    trusted = on_behalf(actor)
    user = user_create(
        actor=trusted,
        username=values["username"],
        password=password,
        full_name=values["full_name"],
        phone=values["phone"],
        jpath=enterprise.jpath,
    )
    role_grant(actor=trusted, user=user, role=Role.ENTERPRISE, jurisdiction=enterprise.jurisdiction)
    member = EnterpriseMember.objects.create(user=user, enterprise=enterprise)
    audit_record(
        actor=actor,
        action="enterprise_user.create",
        obj=member,
        jpath=enterprise.jpath,
        after={"enterprise": enterprise.pk, "username": user.username, "full_name": user.full_name},
    )
    return member


@transaction.atomic
def enterprise_user_disable(*, actor: Actor, member: EnterpriseMember) -> EnterpriseMember:
    """Closes an enterprise login: it can no longer sign in, its tokens stop with it
    (an inactive user has no actor) and its role is withdrawn. Audited
    "enterprise_user.disable"."""
    enterprise = member.enterprise
    require_reach(
        actor,
        Capability.ENTERPRISES_MANAGE,
        enterprise_id=enterprise.pk,
        path=enterprise.jpath,
        self_ok=False,
    )
    user = User.objects.select_for_update().get(pk=member.user_id)
    if not user.is_active:
        raise ValidationError({"user": _("This account is already disabled.")})
    User.objects.filter(pk=user.pk).update(is_active=False)
    RoleAssignment.objects.filter(user=user, role=Role.ENTERPRISE).update(active=False)
    audit_record(
        actor=actor,
        action="enterprise_user.disable",
        obj=member,
        jpath=enterprise.jpath,
        before={"username": user.username, "active": True},
        after={"username": user.username, "active": False},
    )
    member.user.is_active = False
    return member
