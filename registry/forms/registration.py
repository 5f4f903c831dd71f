"""Forms for self-registration, self-service and the branch counter.

They only render fields and carry raw input: every rule is applied by the services
(`person_fields_clean`, `work_data_clean`, `normalise_phone`), so the web, the API and
bulk files refuse the same things with the same messages.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from geography.forms import VillageField
from programmes.models import Programme
from registry.models.people import ActorType, Sector, Sex
from registry.normalise import normalise_phone
from registry.services.people import (
    PERSON_FIELDS,
    PersonData,
    person_data_clean,
    person_fields_clean,
)
from registry.services.work import WorkData, employer_choices, work_data_clean

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


# A form shows choices and a village picker where a file or the API takes codes: the
# service's words for those ("Choose F (female) or M (male)", "Enter the village code")
# are said here as the form shows them.
PICKED_NOT_TYPED = {
    "village_required": _("Choose the province, district, commune and village."),
}


# Help text is shown as HTML (Django's field template): the Khmer example is marked as
# Khmer, so an English page reads it right and carries no unmarked Khmer (tests).
KHMER_NAME_EXAMPLE = "សុខ ដារ៉ា"


def with_khmer_example(text: "StrOrPromise") -> "StrOrPromise":
    return format_lazy('{} <span lang="km">{}</span>', text, KHMER_NAME_EXAMPLE)


class ServiceCheckedForm(forms.Form):
    """A form whose fields are checked by a service; its errors land on the fields."""

    def service_clean(self, data: dict) -> dict:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        try:
            self.normalised = self.service_clean(data)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None
                self.add_error(target, [self._as_shown(target, e) for e in errors])
        return data

    def _as_shown(self, field: str | None, error: ValidationError) -> ValidationError:
        """The error in the form's own terms: its choices' labels, not their codes."""
        if error.code in PICKED_NOT_TYPED:
            return ValidationError(PICKED_NOT_TYPED[error.code], code=error.code)
        form_field = self.fields.get(field) if field else None
        if isinstance(form_field, forms.ChoiceField) and error.code == f"{field}_invalid":
            # A built form field holds its choices as a list of (value, label).
            choices = cast("list[tuple[str, object]]", form_field.choices)
            labels = [str(label) for value, label in choices if value != ""]
            return ValidationError(
                _("Choose one: %(choices)s."),
                code=error.code,
                params={"choices": ", ".join(labels)},
            )
        return error


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        help_text=_("We send a code to this phone. Example: 012 345 678"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        help_text=_("Six digits. The code works for 5 minutes."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9០-៩ ]*"}
        ),
    )


class DetailsForm(ServiceCheckedForm):
    service_fields = ("name_km", "name_latin", "sex", "date_of_birth", "national_id", "village")

    name_km = forms.CharField(
        label=_("Name in Khmer script"),
        help_text=with_khmer_example(_("Family name first, as on your ID card. Example:")),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"lang": "km", "autocomplete": "name"}),
    )
    name_latin = forms.CharField(
        label=_("Name in Latin letters (optional)"),
        help_text=_("Example: Sok Dara"),
        max_length=150,
        required=False,
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect, required=False
    )
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        help_text=_("Day/month/year, for example 17/05/1990"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "DD/MM/YYYY"}),
    )
    national_id = forms.CharField(
        label=_("National ID card number (optional)"),
        help_text=_("9 digits"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    village = VillageField(required=False)

    def service_clean(self, data: dict) -> dict:
        return person_fields_clean(raw=data, fields=self.service_fields)


class WorkForm(ServiceCheckedForm):
    service_fields = ("actor_type", "sector", "occupation")

    actor_type = forms.ChoiceField(
        label=_("What kind of work do you do?"),
        choices=ActorType.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False
    )
    occupation = forms.CharField(
        label=_("Occupation (optional)"),
        help_text=_("For example: tailor, tuk-tuk driver, rice farmer"),
        max_length=150,
        required=False,
    )

    def service_clean(self, data: dict) -> dict:
        return person_fields_clean(raw=data, fields=self.service_fields)


class WorkplaceForm(ServiceCheckedForm):
    """The business an owner runs, or the employer of a worker (only what applies)."""

    enterprise_name = forms.CharField(
        label=_("Name of your business"), max_length=200, required=False
    )
    workers = forms.CharField(
        label=_("How many people work for you?"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    employer_id = forms.ChoiceField(label=_("Your employer"), required=False)
    employer_name = forms.CharField(
        label=_("Or type the name of your employer"), max_length=200, required=False
    )
    seasonal_months = forms.MultipleChoiceField(
        label=_("In which months do you usually work?"),
        choices=MONTHS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    OWNER_FIELDS = ("enterprise_name", "workers")
    WORKER_FIELDS = ("employer_id", "employer_name")

    def __init__(self, *args, actor_type: str, village=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor_type = actor_type
        employers = employer_choices(village=village)
        # The copy of the ChoiceField declared above; `fields` is typed with the base Field.
        employer_field = cast(forms.ChoiceField, self.fields["employer_id"])
        employer_field.choices = [("", "—")] + [(str(e.pk), e.name) for e in employers]
        keep: tuple[str, ...] = ()
        if not actor_type:
            # Not chosen yet (the one-page counter form): offer every section.
            keep = tuple(self.fields)
        elif actor_type == ActorType.MICROENTERPRISE_OWNER:
            keep = self.OWNER_FIELDS
        elif actor_type == ActorType.MICROENTERPRISE_WORKER:
            keep = self.WORKER_FIELDS
        elif actor_type == ActorType.SEASONAL_WORKER:
            keep = (*self.WORKER_FIELDS, "seasonal_months")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "employer_id" in self.fields and not employers:
            del self.fields["employer_id"]
            self.fields["employer_name"].label = _("Name of your employer")

    def service_clean(self, data: dict) -> dict:
        return {"work": work_data_clean(raw=data, actor_type=self.actor_type)}


DATA_SHARING = "data_sharing"


class ConsentForm(forms.Form):
    """One box per purpose, none ticked in advance: consent is chosen, never assumed."""

    purposes = forms.MultipleChoiceField(
        label=_("Who may contact you with help?"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = list(Programme.objects.filter(is_active=True))
        self.fields["purposes"].choices = [(str(p.pk), p.name) for p in self.programmes] + [
            (DATA_SHARING, _("Share my registration with partner institutions"))
        ]

    def wanted(self) -> set[int | None]:
        chosen = self.cleaned_data.get("purposes", [])
        return {None if value == DATA_SHARING else int(value) for value in chosen}


def purposes_as_values(purposes: Iterable[int | None]) -> list[str]:
    """The ConsentForm values for purposes in force (programme ids; None = data sharing)."""
    return [DATA_SHARING if p is None else str(p) for p in purposes]


def person_initial(person) -> dict:
    """A record's values as the DetailsForm and WorkForm show them for correction."""
    values = {field: getattr(person, field) for field in PERSON_FIELDS}
    values["village"] = person.village_id
    values["date_of_birth"] = person.date_of_birth.strftime("%d/%m/%Y")
    return values


def unprefixed(data, prefix: str) -> dict:
    """The submitted values of a prefixed form, keyed by field name."""
    return {k[len(prefix) + 1 :]: v for k, v in data.items() if k.startswith(f"{prefix}-")}


def assisted_data_clean(
    *, details: forms.Form, work: forms.Form, workplace: forms.Form, phone: str
) -> tuple[PersonData, WorkData] | None:
    """Assisted registration (the counter, event mode): the valid forms' values checked as
    a whole record by the services; None when they refuse, their errors on the fields."""
    raw = {**details.cleaned_data, **work.cleaned_data, "phone": phone}
    try:
        data = person_data_clean(raw=raw)
        cleaned_work = work_data_clean(raw=workplace.cleaned_data, actor_type=data.actor_type)
    except ValidationError as error:
        for field, errors in error.error_dict.items():
            target = workplace if field in workplace.fields else details
            target.add_error(field if field in target.fields else None, errors)
        return None
    return data, cleaned_work
