"""The dashboard's filters, read from the address (so a view can be shared as a link)."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dashboards.figures import Filters
from geography.models import Commune, District, Province, Village
from registry.models.people import ActorType, Channel, Sector, Sex

TREND_CHOICES = [("day", _("By day")), ("week", _("By week")), ("month", _("By month"))]


def _any(choices) -> list:
    return [("", _("All")), *choices]


class FilterForm(forms.Form):
    province = forms.CharField(required=False, max_length=8)
    district = forms.CharField(required=False, max_length=8)
    commune = forms.CharField(required=False, max_length=8)
    village = forms.IntegerField(required=False, min_value=1)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_any(Channel.choices))
    actor_type = forms.ChoiceField(
        label=_("Type of work"), required=False, choices=_any(ActorType.choices)
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=_any(Sector.choices))
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=_any(Sex.choices))
    trend = forms.ChoiceField(label=_("Trend"), required=False, choices=TREND_CHOICES)

    AREA_FIELDS = ("province", "district", "commune", "village")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        data["area"], data["places"] = self._area(data)
        return data

    def _area(self, data) -> tuple[dict[str, int], list]:
        """The deepest area asked for, as its chain {province_id, district_id, ...}."""
        place: Province | District | Commune | Village | None = None
        if data.get("village"):
            place = (
                Village.objects.select_related("commune__district__province")
                .filter(pk=data["village"])
                .first()
            )
        elif data.get("commune"):
            place = (
                Commune.objects.select_related("district__province")
                .filter(code=data["commune"])
                .first()
            )
        elif data.get("district"):
            place = (
                District.objects.select_related("province").filter(code=data["district"]).first()
            )
        elif data.get("province"):
            place = Province.objects.filter(code=data["province"]).first()
        if place is None:
            if any(data.get(f) for f in self.AREA_FIELDS):
                self.add_error(
                    None, _("That area is not in the gazetteer: showing the whole country.")
                )
            return {}, []
        chain: list[Any] = []
        while place is not None:
            chain.insert(0, place)
            place = next(
                (
                    getattr(place, up)
                    for up in ("commune", "district", "province")
                    if hasattr(place, f"{up}_id")
                ),
                None,
            )
        levels = ("province_id", "district_id", "commune_id", "village_id")
        return {levels[i]: p.pk for i, p in enumerate(chain)}, chain

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        if not self.is_valid():
            # Keep whatever parts were valid; an invalid part is dropped and said.
            data = {
                k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors
            }
        return Filters(
            area=data.get("area", {}),
            start=data.get("start"),
            end=data.get("end"),
            channel=data.get("channel") or "",
            actor_type=data.get("actor_type") or "",
            sector=data.get("sector") or "",
            sex=data.get("sex") or "",
        )


def period_presets(
    today: datetime.date,
) -> list[tuple[str, datetime.date | None, datetime.date | None]]:
    month = today.replace(day=1)
    year_ago = (
        month.replace(year=month.year - 1)
        if month.month == 12
        else month.replace(year=month.year - 1, month=month.month + 1)
    )
    return [
        (str(_("All time")), None, None),
        (str(_("Last 7 days")), today - datetime.timedelta(days=6), None),
        (str(_("Last 30 days")), today - datetime.timedelta(days=29), None),
        (str(_("This month")), month, None),
        (str(_("Last 12 months")), year_ago, None),
        (str(_("This year")), today.replace(month=1, day=1), None),
    ]
