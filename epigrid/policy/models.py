"""Policy as dated data: each setting holds from a date until a later record replaces it.

A record that is judged under a policy keeps the version it was judged under; nothing here
is a constant in code except the defaults used before any record exists.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicySetting(models.Model):
    key = models.CharField(_("setting"), max_length=64)
    value = models.JSONField(_("value"))
    active_from = models.DateField(_("in force from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("policy setting")
        constraints = [
            models.UniqueConstraint(fields=["key", "active_from"], name="policy_one_per_day")
        ]
        indexes = [models.Index(fields=["key", "-active_from"], name="policy_key_from")]

    def __str__(self) -> str:
        return f"{self.key}={self.value} from {self.active_from}"


class WorkdayOverride(models.Model):
    """A local change to the working calendar (policy.calendar): a day made a holiday or a
    working day by a decision the national calendar library does not know, such as an
    extended Spring Festival break or a province's later return to work."""

    day = models.DateField(_("day"), unique=True)
    workday = models.BooleanField(_("working day"))
    note = models.CharField(_("decision"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("working-calendar change")
        verbose_name_plural = _("working-calendar changes")

    def __str__(self) -> str:
        return f"{self.day} {'workday' if self.workday else 'holiday'}"
