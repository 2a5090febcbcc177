"""Readable names for audit actions and record types, for people reading the trail."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "scenario.build": _("Reference scenario built"),
    "jurisdiction.create": _("Unit added"),
    "jurisdiction.rename": _("Unit renamed"),
    "jurisdiction.deactivate": _("Unit deactivated"),
    "staff.create": _("Grid worker added"),
    "staff.update": _("Grid worker edited"),
    "staff.deactivate": _("Grid worker taken off duty"),
    "staff.login_create": _("Login given to a grid worker"),
    "team.create": _("Team formed"),
    "team.update": _("Team edited"),
    "team.member_add": _("Team member added"),
    "team.member_remove": _("Team member removed"),
    "team.dissolve": _("Team dissolved"),
    "responsibility.assign": _("Grid responsibility assigned"),
    "party.create": _("Party committee set up"),
    "party.update": _("Party committee edited"),
    "party.dissolve": _("Party committee dissolved"),
    "party.unit_add": _("Member unit joined"),
    "party.unit_remove": _("Member unit left"),
    "user.create": _("Login created"),
    "role.grant": _("Role granted"),
    "token.create": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "policy.set": _("Policy changed"),
    "building.create": _("Building registered"),
    "unit.create": _("Housing unit added"),
    "unit.update": _("Housing unit edited"),
    "person.create": _("Person registered"),
    "person.update": _("Person's record edited"),
    "person.view": _("Person's full record viewed"),
    "person.merge": _("Duplicate records merged"),
    "person.not_duplicate": _("Marked as different people"),
    "residency.start": _("Moved in"),
    "residency.end": _("Moved out"),
    "arrival.create": _("Arrival recorded"),
    "risk_area.create": _("Epidemic source area listed"),
    "risk_area.end": _("Epidemic source area delisted"),
    "category.assign": _("Key-person category assigned"),
    "category.end": _("Key-person category ended"),
    "export.create": _("List exported"),
    "import.batch": _("Spreadsheet rows imported"),
    "campaign.start": _("Sweep campaign started"),
    "campaign.assign": _("Sweep units assigned"),
    "campaign.close": _("Sweep campaign closed"),
    "campaign_unit.assign": _("Sweep unit reassigned"),
    "visit.record": _("Sweep visit recorded"),
    "duty_post.create": _("Duty post set up"),
    "duty_post.update": _("Duty post edited"),
    "duty_post.close": _("Duty post closed"),
    "duty_shift.create": _("Shift put on the roster"),
    "duty_shift.update": _("Shift edited"),
    "duty_shift.cancel": _("Shift cancelled"),
    "duty_shift.member_add": _("Person put on a shift"),
    "duty_shift.member_remove": _("Person taken off a shift"),
    "handover.add": _("Hand-over note written"),
    "alert.raise": _("Alert raised"),
    "alert.repeat": _("Alert confirmed by another follow-up"),
    "alert.referral": _("Referral step recorded"),
    "alert.close": _("Alert closed with an outcome"),
    "case.open": _("Observation case opened"),
    "case.change_end": _("Observation period extended or shortened"),
    "case.close": _("Observation case closed"),
    "case.update": _("Observation case edited"),
    "followup.record": _("Follow-up recorded"),
    "assistance.create": _("Request for help recorded"),
    "assistance.take": _("Request for help taken"),
    "assistance.fulfil": _("Request for help fulfilled"),
    "assistance.cancel": _("Request for help cancelled"),
    "care.add": _("Counselling or health education recorded"),
    "selfreport.issue": _("Self-report link issued"),
    "selfreport.revoke": _("Self-report link revoked"),
    "case.document": _("Case notice printed"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def entity_type_label(entity_type: str) -> str:
    try:
        return str(apps.get_model(entity_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return entity_type
