from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from geography.models import Province
from programmes.models import ACTOR_TYPES, CHANNELS, SECTORS, SEXES, EligibilityRule, Programme
from programmes.rules import Criteria, criteria_errors
from registry.forms.registration import MONTHS
from sharing.eligibility import missing_areas
from sharing.models import ExportJob, ExportSchedule

EITHER = [("", _("Either")), ("true", _("Yes")), ("false", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


class AreasMixin(forms.Form):
    """Areas at any level: provinces picked from the list, districts and communes typed
    by code (the codes on the gazetteer's pages and the village picker)."""

    provinces = forms.MultipleChoiceField(
        label=_("Provinces"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    other_areas = forms.CharField(
        label=_("Districts or communes (codes)"),
        required=False,
        help_text=_("4-digit district or 6-digit commune codes, separated by spaces."),
    )

    def _init_areas(self, codes: list[str]) -> None:
        provinces = cast(forms.MultipleChoiceField, self.fields["provinces"])
        provinces.choices = [(p.code, p.name) for p in Province.objects.all()]
        if not self.is_bound:
            self.initial["provinces"] = [c for c in codes if len(c) == 2]
            self.initial["other_areas"] = " ".join(c for c in codes if len(c) != 2)

    def clean_other_areas(self) -> list[str]:
        codes = self.cleaned_data["other_areas"].replace(",", " ").split()
        wrong = [c for c in codes if not c.isdigit() or len(c) not in (4, 6)]
        if wrong:
            raise forms.ValidationError(
                _("A district code has 4 digits and a commune code 6: %(codes)s")
                % {"codes": " ".join(wrong)}
            )
        unknown = missing_areas(codes)
        if unknown:
            raise forms.ValidationError(
                _("No district or commune has the code %(codes)s.") % {"codes": " ".join(unknown)}
            )
        return codes

    def area_codes(self) -> list[str]:
        return sorted(
            {*self.cleaned_data.get("provinces", []), *self.cleaned_data.get("other_areas", [])}
        )


class RuleForm(AreasMixin, forms.ModelForm):
    actor_types = forms.MultipleChoiceField(
        label=_("Actor types"),
        choices=ACTOR_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"), choices=SECTORS, required=False, widget=forms.CheckboxSelectMultiple
    )
    channels = forms.MultipleChoiceField(
        label=_("Registration channels"),
        choices=CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    seasonal_months = forms.TypedMultipleChoiceField(
        label=_("Works in these months (seasonal work)"),
        choices=MONTHS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    has_phone = forms.TypedChoiceField(
        label=_("Has a phone"), choices=EITHER, coerce=_yes_no, empty_value=None, required=False
    )
    has_national_id = forms.TypedChoiceField(
        label=_("Has a national ID"),
        choices=EITHER,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = EligibilityRule
        fields = [
            "actor_types", "sectors", "sex", "age_min", "age_max", "age_on",
            "registered_since", "registered_before", "channels", "workers_min",
            "workers_max", "seasonal_months", "has_phone", "has_national_id",
        ]  # fmt: skip
        widgets = {
            "age_on": forms.DateInput(attrs={"type": "date"}),
            "registered_since": forms.DateInput(attrs={"type": "date"}),
            "registered_before": forms.DateInput(attrs={"type": "date"}),
        }

    field_order = [
        "actor_types", "sectors", "sex", "age_min", "age_max", "age_on", "provinces",
        "other_areas", "registered_since", "registered_before", "channels", "workers_min",
        "workers_max", "seasonal_months", "has_phone", "has_national_id",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sex = cast(forms.ChoiceField, self.fields["sex"])
        sex.choices = [("", _("Either")), *SEXES]
        if not self.is_bound:
            for name in ("has_phone", "has_national_id"):
                value = getattr(self.instance, name)
                self.initial[name] = "" if value is None else str(value).lower()
        self._init_areas(list(self.instance.area_codes))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.instance.area_codes = self.area_codes()
        return data


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to export"),
        choices=[
            (ExportJob.Kind.FULL, ExportJob.Kind.FULL.label),
            (ExportJob.Kind.DELTA, ExportJob.Kind.DELTA.label),
        ],
        widget=forms.RadioSelect,
        initial=ExportJob.Kind.FULL,
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportJob.Format.choices,
        widget=forms.RadioSelect,
        initial=ExportJob.Format.CSV,
    )
    since = forms.DateTimeField(
        label=_("Changes since (optional)"),
        required=False,
        help_text=_("Empty: since the programme's previous export."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ExportSchedule
        fields = ["kind", "file_format", "frequency", "weekday", "hour", "is_active"]


class ProgrammeSettingsForm(forms.ModelForm):
    """What an administrator sets on a programme besides its rule."""

    columns = forms.MultipleChoiceField(
        label=_("Columns it receives"), required=True, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Programme
        fields = ["columns", "retention_days", "receives_targeting"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from programmes.columns import EXPORT_COLUMNS

        cast(forms.MultipleChoiceField, self.fields["columns"]).choices = list(
            EXPORT_COLUMNS.items()
        )


class TargetingForm(AreasMixin, forms.Form):
    actor_types = forms.MultipleChoiceField(
        label=_("Actor types"),
        choices=ACTOR_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"), choices=SECTORS, required=False, widget=forms.CheckboxSelectMultiple
    )
    programme = forms.ModelChoiceField(
        label=_("Response programme"),
        queryset=Programme.objects.filter(is_active=True, receives_targeting=True),
        required=False,
        help_text=_("The programme that receives the list (only people who consented to it)."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._init_areas([])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.area_codes():
            raise forms.ValidationError(_("Choose at least one affected area."))
        return data

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        criteria = Criteria(
            actor_types=tuple(data.get("actor_types") or ()),
            sectors=tuple(data.get("sectors") or ()),
            area_codes=tuple(self.area_codes()),
        )
        assert not criteria_errors(criteria)
        return criteria
