"""Event mode: what only an event asks besides the registration forms (registry.forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.normalise import normalise_phone


class EventRegistrationForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone (optional)"),
        help_text=_("The person's own phone: they receive their registration number by SMS."),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    consent_confirmed = forms.BooleanField(
        label=_("The person agreed to each purpose ticked above, after I explained it."),
        required=False,
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"], required=False)
