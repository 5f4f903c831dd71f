"""The Django admin for the registry: reference data is edited here, records are not.

People, their enterprises and employment, consents, history and the dedup records are
read-only here (no add, change or delete, for superusers too). A ministry deployment
wants every change to a registrant to take the one audited path: the services normalise
what is typed (Khmer Unicode, phone to E.164), write the history row with its actor,
enqueue dedup and keep consent append-only, and "delete" is a person leaving the
registry (person_leave), never a row removed with its history cascading after it.
Routing the admin's generic forms through those services would be a second, weaker
copy of the staff forms (the admin cannot ask the questions the counter form asks), so
each record links instead to the staff page that makes the change
(/branch/applicants/<registration number>/, for the staff whose scope covers it).
Geography and programmes are reference data that administrators maintain here.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from audit.masking import mask_tail
from audit.models import ReadKind
from audit.web import request_reads_record
from registry.models import (
    Consent,
    Employment,
    Enterprise,
    Person,
    PersonChange,
    PhoneCode,
    RegistrantToken,
    SmsMessage,
)
from registry.services.registrant_tokens import registrant_token_revoke


def staff_page_link(person: Person | None):
    """The staff page where a record is changed through the registry's services."""
    if person is None:
        return "-"
    url = reverse("partners:applicant", args=[person.registration_number])
    return format_html('<a href="{}">{}</a>', url, _("Change in the staff pages"))


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = [
        "registration_number",
        "name_km",
        "name_latin",
        "sex",
        "date_of_birth",
        "status",
        "channel",
        "partner",
        "created_at",
        "staff_page",
    ]
    list_filter = ["status", "channel", "actor_type", "sector", "sex", "partner"]
    search_fields = ["registration_number", "name_km", "name_latin", "reference", "=national_id"]
    list_select_related = ["partner"]
    readonly_fields = ["staff_page"]
    show_full_result_count = False

    @admin.display(description=_("staff page"))
    def staff_page(self, obj: Person):
        return staff_page_link(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and str(object_id).isdigit():
            request_reads_record(request, person_ids=[int(object_id)], kind=ReadKind.ADMIN)
        return response


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = [
        "person",
        "programme",
        "given_at",
        "channel",
        "withdrawn_at",
        "withdrawn_channel",
    ]
    list_filter = ["programme", "channel", "withdrawn_channel"]
    raw_id_fields = ["person"]
    search_fields = ["person__registration_number"]


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "sector", "owner", "workers", "village", "staff_page"]
    list_filter = ["sector"]
    search_fields = ["name"]
    list_select_related = ["owner", "village"]
    readonly_fields = ["staff_page"]

    @admin.display(description=_("staff page of the owner"))
    def staff_page(self, obj: Enterprise):
        return staff_page_link(obj.owner)


@admin.register(Employment)
class EmploymentAdmin(ReadOnlyAdmin):
    list_display = ["person", "enterprise", "role", "seasonal_months", "staff_page"]
    list_filter = ["role"]
    list_select_related = ["person", "enterprise"]
    readonly_fields = ["staff_page"]

    @admin.display(description=_("staff page"))
    def staff_page(self, obj: Employment):
        return staff_page_link(obj.person)


@admin.register(PersonChange)
class PersonChangeAdmin(ReadOnlyAdmin):
    list_display = ["person", "action", "channel", "actor", "at"]
    list_filter = ["action", "channel"]
    search_fields = ["person__registration_number"]


class MaskedPhoneList:
    """Lists show a phone's last digits only; the record's own page shows it whole."""

    @admin.display(description=_("phone"), ordering="phone")
    def masked_phone(self, obj) -> str:
        return mask_tail(obj.phone)


@admin.register(SmsMessage)
class SmsMessageAdmin(MaskedPhoneList, ReadOnlyAdmin):
    list_display = ["masked_phone", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["phone"]


@admin.register(PhoneCode)
class PhoneCodeAdmin(MaskedPhoneList, ReadOnlyAdmin):
    list_display = [
        "masked_phone",
        "purpose",
        "created_at",
        "expires_at",
        "attempts",
        "verified_at",
    ]
    list_filter = ["purpose"]
    exclude = ["code_hash"]
    search_fields = ["phone"]


@admin.register(RegistrantToken)
class RegistrantTokenAdmin(ReadOnlyAdmin):
    """The mobile app's sign-ins: an administrator can end them (a lost or stolen phone)."""

    list_display = [
        "phone",
        "created_at",
        "refreshed_at",
        "access_expires_at",
        "refresh_expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    exclude = ["access_digest", "refresh_digest", "previous_refresh_digest"]
    search_fields = ["phone"]
    actions = ["end_sign_ins"]

    @admin.action(description=_("End the selected sign-ins"))
    def end_sign_ins(self, request, queryset):
        for record in queryset:
            registrant_token_revoke(record=record)
        self.message_user(request, _("The selected sign-ins are ended."))
