"""Accounts, role assignments and API tokens."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.audit.services import audit_record
from epigrid.geo.models import Jurisdiction

from .access import Actor, require_can
from .models import ApiToken, RoleAssignment, User, hash_token
from .roles import Capability, Role

TOKEN_PREFIX = "eg_"  # noqa: S105 - not a secret: marks tokens in logs


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    full_name: str = "",
    phone: str = "",
    jpath: str,
    validate: bool = True,
) -> User:
    """Creates a login; `jpath` is where the audit event is filed (the account's jurisdiction)."""
    if not actor.system:
        require_can(actor, Capability.ACCOUNTS_MANAGE, jpath)
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise ValidationError({"username": _("Enter a user name of at most 150 characters.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(username=username, full_name=full_name.strip(), phone=phone.strip())
    if password is None:
        user.set_unusable_password()  # the caller sets a prepared hash
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        jpath=jpath,
        after={"username": user.username, "full_name": user.full_name},
    )
    return user


@transaction.atomic
def role_grant(
    *, actor: Actor, user: User, role: str, jurisdiction: Jurisdiction
) -> RoleAssignment:
    """Gives `user` the role over `jurisdiction`'s subtree; an actor may grant only inside
    their own scope, and never a role above their own."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not actor.system:
        require_can(actor, Capability.ACCOUNTS_MANAGE, jurisdiction.path)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        jurisdiction=jurisdiction,
        defaults={"jpath": jurisdiction.path, "active": True},
    )
    if not created and not assignment.active:
        assignment.active = True
        assignment.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="role.grant",
        obj=assignment,
        jpath=jurisdiction.path,
        after={"user": user.username, "role": role, "jurisdiction": jurisdiction.code},
    )
    return assignment


def _primary_path(user: User) -> str:
    assignment = RoleAssignment.objects.filter(user=user).order_by("jpath").first()
    return assignment.jpath if assignment else ""


@transaction.atomic
def token_create(*, actor: Actor, user: User, name: str = "") -> str:
    """Issues an API token and returns it in clear, once; only its hash is stored."""
    if not actor.system and actor.user != user:
        raise PermissionDenied
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:10], key_hash=hash_token(raw)
    )
    audit_record(
        actor=actor,
        action="token.create",
        obj=token,
        jpath=_primary_path(user),
        after={"user": user.username, "prefix": token.prefix},
    )
    return raw


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revokes a token for good."""
    if not actor.system and actor.user != token.user:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="token.revoke",
            obj=token,
            jpath=_primary_path(token.user),
            after={"prefix": token.prefix},
        )
    return token
