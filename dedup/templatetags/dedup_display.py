"""How the engine's reasons for a pair read to a reviewer: the fields by their names on
the registration form, what was found in words, how much it counts, in the page's
language. The stored reasons keep the engine's codes (field, level, weight)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

FIELD_LABELS = {
    "name_km": _("Name in Khmer script"),
    "name_latin": _("Name in Latin letters"),
    "date_of_birth": _("Date of birth"),
    "sex": _("Sex"),
    "phone": _("Phone"),
    "national_id": _("National ID number"),
    "place": _("Village"),
}
LEVEL_LABELS = {
    "exact": _("the same"),
    "agree": _("the same"),
    "village": _("the same village"),
    "close": _("almost the same"),
    "partial": _("partly the same"),
    "similar": _("similar"),
    "typo": _("probably a typing mistake"),
    "typo_far": _("possibly a typing mistake"),
    "same_year": _("the same year"),
    "near": _("less than three years apart"),
    "commune": _("the same commune, another village"),
    "province": _("the same province, another commune"),
    "different": _("different"),
    "disagree": _("different"),
    "generation": _("a generation apart"),
    "missing": _("missing on one record"),
}
RULE_LABELS = {
    "names_differ": _("The names differ too much to merge without a reviewer."),
    "parent_child": _("They may be parent and child."),
    "namesake": _("They may be two people with the same name."),
    "birth_dates_differ": _("The dates of birth differ."),
    "birth_date_and_phone_differ": _(
        "The dates of birth differ slightly and the phones differ: they may be neighbours "
        "with the same name."
    ),
    "national_id_differs": _("The national ID numbers differ."),
    "sex_differs": _("The sex differs."),
}


def _strength(weight: float | None) -> str:
    if weight is None:
        return ""
    if weight >= 4:
        return str(_("counts strongly for the same person"))
    if weight > 0.5:
        return str(_("counts for the same person"))
    if weight <= -4:
        return str(_("counts strongly against"))
    if weight < -0.5:
        return str(_("counts against"))
    return str(_("counts little either way"))


@register.filter
def reason_field(reason: dict) -> str:
    """The field a reason is about, as the registration form names it."""
    field = reason.get("field", "")
    return str(FIELD_LABELS.get(field, field))


@register.filter
def reason_text(reason: dict) -> str:
    """One reason as a sentence: "Phone: the same (counts strongly for the same person)"."""
    if reason.get("field") == "rule":
        rule = reason.get("level", "")
        return str(RULE_LABELS.get(rule, rule))
    level = reason.get("level", "")
    found = str(LEVEL_LABELS.get(level, level))
    strength = _strength(reason.get("weight"))
    text = f"{reason_field(reason)}: {found}"
    return f"{text} ({strength})" if strength else text


@register.filter
def agreed_fields(reasons: list[dict]) -> str:
    """The fields the two records agree on, by their names on the form: "Phone, Sex"."""
    return ", ".join(reason_field(r) for r in reasons if r.get("outcome") == "agree")
