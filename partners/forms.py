from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.selectors import campaign_list_running_for_partners
from partners.models import Branch
from partners.widgets import FilePicker
from registry.forms.registration import with_khmer_example
from registry.normalise import normalise_phone

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
INTAKE_EXTENSIONS = ["csv", "xlsx"]


class CounterForm(forms.Form):
    """What only the counter asks: which branch, the form number, the phone."""

    branch: forms.ModelChoiceField[Branch] = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, empty_label=None
    )
    reference = forms.CharField(
        label=_("Form number (optional)"),
        help_text=_(
            "Your bank's number for this application. The same number is never registered twice."
        ),
        max_length=64,
        required=False,
    )
    phone = forms.CharField(
        label=_("Applicant's phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    campaign: forms.ModelChoiceField[Campaign] = forms.ModelChoiceField(
        label=_("Campaign (optional)"),
        help_text=_("A running campaign your bank takes part in: this registration counts for it."),
        queryset=None,
        required=False,
        empty_label=_("No campaign"),
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        campaigns = campaign_list_running_for_partners(
            partner_ids=set(branches.values_list("partner_id", flat=True))
        )
        self.fields["campaign"].queryset = campaigns
        if not campaigns.exists():
            del self.fields["campaign"]

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"], required=False)


class ConsentProofForm(forms.Form):
    """The staff member's confirmation of the purposes ticked, shown below them."""

    consent_confirmed = forms.BooleanField(
        label=_("The applicant agreed to each purpose ticked above, after I explained it."),
        required=False,
    )
    consent_photo = forms.FileField(
        label=_("Photo of the signed form (optional)"),
        required=False,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "pdf"])],
        widget=FilePicker(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )

    def clean_consent_photo(self):
        photo = self.cleaned_data.get("consent_photo")
        if photo and photo.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is larger than 5 MB. Take it again at a lower resolution."),
                code="photo_too_large",
            )
        return photo


class IntakeUploadForm(forms.Form):
    branch: forms.ModelChoiceField[Branch] = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, empty_label=None
    )
    file = forms.FileField(
        label=_("File (CSV or Excel)"),
        help_text=_("Use the template below. One row per applicant."),
        validators=[FileExtensionValidator(INTAKE_EXTENSIONS)],
        widget=FilePicker(attrs={"accept": ",".join(f".{e}" for e in INTAKE_EXTENSIONS)}),
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


# The registration forms speak to the registrant ("your ID card"); at the counter a staff
# member reads them about the applicant.
STAFF_WORDING = {
    ("details", "name_km", "help_text"): with_khmer_example(
        _("Family name first, as on the applicant's ID card. Example:")
    ),
    ("work", "actor_type", "label"): _("The applicant's type of work"),
    ("workplace", "enterprise_name", "label"): _("Name of the applicant's business"),
    ("workplace", "workers", "label"): _("How many people work for the applicant?"),
    ("workplace", "employer_id", "label"): _("The applicant's employer"),
    ("workplace", "employer_name", "label"): _("Or type the name of the applicant's employer"),
    ("workplace", "seasonal_months", "label"): _(
        "In which months does the applicant usually work?"
    ),
}


def staff_wording(forms_by_name: dict[str, forms.Form]) -> None:
    """Word the registration forms about the applicant, for the staff member."""
    for (form_name, field_name, attribute), text in STAFF_WORDING.items():
        field = forms_by_name[form_name].fields.get(field_name)
        if field is not None:
            setattr(field, attribute, text)
