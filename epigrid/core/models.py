"""Abstract bases shared by domain models. No domain knowledge lives here."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VersionedModel(models.Model):
    """A row edited by people: `version` guards against silently lost concurrent updates."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScopedModel(models.Model):
    """A row that belongs to one jurisdiction node.

    `jpath` copies the node's materialized path so scoping is one indexed prefix filter on
    the row itself; node codes never change (a node is deactivated, not moved), so the copy
    cannot go stale.
    """

    jpath = models.CharField(max_length=80, db_index=True, editable=False)

    class Meta:
        abstract = True


class DatedModel(models.Model):
    """A row that is in force from one date until (not including) another; history is kept."""

    active_from = models.DateField(_("active from"))
    active_until = models.DateField(_("active until"), null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def active_on_q(day: dt.date, prefix: str = "") -> Q:
        return Q(**{f"{prefix}active_from__lte": day}) & (
            Q(**{f"{prefix}active_until__isnull": True}) | Q(**{f"{prefix}active_until__gt": day})
        )

    def is_active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_until is None or self.active_until > day)

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.is_active_on(timezone.localdate())
