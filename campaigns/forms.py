"""The organisers' planning forms. They carry input; campaigns.services applies every rule."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from campaigns.models import Campaign, Event
from campaigns.services import CampaignData, EventData, campaign_clean, event_clean
from geography.forms import AreaField, VillageField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _partner_queryset():
    # partners sits above campaigns: reach its model through the relation, not an import.
    partner_model = Campaign._meta.get_field("partners").related_model
    return partner_model.objects.filter(is_active=True).order_by("name")  # type: ignore[union-attr]


class CampaignForm(forms.Form):
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    area = AreaField(
        help_text=_("Leave every level empty for a nationwide campaign (ministry officers only).")
    )
    starts_on = forms.DateField(label=_("First day"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE_INPUT)
    target = forms.IntegerField(
        label=_("Target registrations"),
        help_text=_("How many people the campaign aims to register."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Campaign.Status.choices)
    partners: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Partners taking part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Their branch staff see the campaign and can credit counter registrations to it."
        ),
    )
    code = forms.SlugField(
        label=_("Short code (optional)"),
        max_length=30,
        required=False,
        help_text=_("Printed on the poster and in its link. Leave empty and one is made for you."),
    )

    def __init__(self, *args, actor: User, campaign: Campaign | None = None, **kwargs):
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name_km": campaign.name_km,
                "name_en": campaign.name_en,
                "area": campaign.area,
                "starts_on": campaign.starts_on,
                "ends_on": campaign.ends_on,
                "target": campaign.target,
                "status": campaign.status,
                "partners": list(campaign.partners.all()),
                "code": campaign.code,
            }
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.campaign = campaign
        self.fields["partners"].queryset = _partner_queryset()  # type: ignore[attr-defined]

    def clean(self):
        values = super().clean()
        if self.errors:
            return values
        self.data_object = CampaignData(
            name_km=values["name_km"],
            name_en=values["name_en"],
            area=values["area"],
            starts_on=values["starts_on"],
            ends_on=values["ends_on"],
            target=values["target"],
            status=values["status"],
            partners=list(values["partners"]),
            code=values.get("code", ""),
        )
        try:
            campaign_clean(actor=self.actor, data=self.data_object, campaign=self.campaign)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return values


class EventForm(forms.Form):
    name = forms.CharField(label=_("Name of the event"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where people should come, e.g. the market, the pagoda, the commune hall."),
    )
    village = VillageField()
    expected_attendance = forms.IntegerField(
        label=_("Expected attendance (optional)"), min_value=0, required=False
    )
    actual_attendance = forms.IntegerField(
        label=_("Actual attendance"),
        min_value=0,
        required=False,
        help_text=_("Enter after the event: how many people came."),
    )

    def __init__(self, *args, campaign: Campaign, event: Event | None = None, **kwargs):
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": event.name,
                "held_on": event.held_on,
                "place": event.place,
                "village": event.village_id,
                "expected_attendance": event.expected_attendance,
                "actual_attendance": event.actual_attendance,
            }
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["village"].label = _("Village where it is held")

    def clean(self):
        values = super().clean()
        if self.errors:
            return values
        self.data_object = EventData(
            name=values["name"],
            village=values["village"],
            held_on=values["held_on"],
            place=values.get("place", ""),
            expected_attendance=values.get("expected_attendance"),
            actual_attendance=values.get("actual_attendance"),
        )
        try:
            event_clean(campaign=self.campaign, data=self.data_object)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return values
