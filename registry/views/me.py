"""/me/: a registrant sees and corrects their own record, manages consent, or leaves.

Sign-in is by a code sent to the registered phone; see registrant_auth.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api.client_address import client_address
from geography.forms import is_picker_refresh, picker_keep
from registry.card import card_png
from registry.card_pdf import card_pdf
from registry.forms.registration import (
    CodeForm,
    ConsentForm,
    DetailsForm,
    PhoneForm,
    WorkForm,
    person_initial,
    purposes_as_values,
    unprefixed,
)
from registry.models import Consent, PhoneCode
from registry.models.people import Channel
from registry.normalise import phone_display
from registry.selectors.history import person_history
from registry.services.consent import consent_set
from registry.services.people import person_data_clean, person_leave, person_update
from registry.services.phone_codes import phone_code_send, phone_code_verify
from registry.views.registrant_auth import (
    registrant_people,
    registrant_person_or_404,
    registrant_phone,
    registrant_sign_in,
    registrant_sign_out,
)

CODE_KEY = "me_code"


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    phone = registrant_phone(request)
    if phone:
        people = list(registrant_people(phone=phone))
        return render(request, "registry/me/records.html", {"people": people, "phone": phone})
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            record = phone_code_send(
                phone=phone, purpose=PhoneCode.Purpose.SIGN_IN, ip_address=client_address(request)
            )
        except ValidationError as error:
            form.add_error("phone", error)
        else:
            request.session[CODE_KEY] = {"phone": phone, "code_id": record.pk}
            messages.info(
                request, _("We sent a code by SMS to %(phone)s.") % {"phone": phone_display(phone)}
            )
            return redirect("registry:me_code")
    return render(request, "registry/me/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(CODE_KEY)
    if not pending:
        return redirect("registry:me")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone_code_verify(
                code_id=pending["code_id"], code=form.cleaned_data["code"], phone=pending["phone"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.pop(CODE_KEY, None)
            registrant_sign_in(request, phone=pending["phone"])
            return redirect("registry:me")
    return render(request, "registry/me/code.html", {"form": form, "phone": pending["phone"]})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    registrant_sign_out(request)
    messages.info(request, _("You are signed out."))
    return redirect("registry:me")


def _guard(request: HttpRequest, number: str):
    if not registrant_phone(request):
        return None
    return registrant_person_or_404(request, number)


def detail(request: HttpRequest, number: str) -> HttpResponse:
    person = _guard(request, number)
    if person is None:
        return redirect("registry:me")
    consents = Consent.objects.filter(person=person, withdrawn_at=None).select_related("programme")
    context = {
        "person": person,
        "consents": consents,
        "history": person_history(person=person),
        "employments": person.employments.select_related("enterprise"),
    }
    return render(request, "registry/me/person.html", context)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, number: str) -> HttpResponse:
    person = _guard(request, number)
    if person is None:
        return redirect("registry:me")
    if person.status != person.Status.ACTIVE:
        messages.error(request, _("This record has left the registry and cannot be changed."))
        return redirect("registry:me_person", number=person.registration_number)
    data = request.POST if request.method == "POST" else None
    details = DetailsForm(data, initial=person_initial(person), prefix="d")
    work = WorkForm(data, initial=person_initial(person), prefix="w")
    if data is not None and is_picker_refresh(data):
        details = DetailsForm(
            initial={**person_initial(person), **unprefixed(data, "d")}, prefix="d"
        )
        picker_keep(details, "d-village", data)
    elif data is not None and details.is_valid() and work.is_valid():
        raw = {**details.cleaned_data, **work.cleaned_data, "phone": str(person.phone)}
        try:
            cleaned = person_data_clean(raw=raw)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            changes = person_update(person=person, data=cleaned, channel=Channel.SELF)
            if changes:
                messages.success(request, _("Your record is updated."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("registry:me_person", number=person.registration_number)
    context = {"person": person, "details": details, "work": work}
    return render(request, "registry/me/edit.html", context)


@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest, number: str) -> HttpResponse:
    person = _guard(request, number)
    if person is None:
        return redirect("registry:me")
    current = set(
        Consent.objects.filter(person=person, withdrawn_at=None).values_list(
            "programme_id", flat=True
        )
    )
    form = ConsentForm(request.POST or None, initial={"purposes": purposes_as_values(current)})
    if request.method == "POST" and person.status == person.Status.ACTIVE and form.is_valid():
        consent_set(person=person, wanted=form.wanted(), channel=Channel.SELF)
        messages.success(request, _("Your choices are saved."))
        return redirect("registry:me_person", number=person.registration_number)
    context = {"person": person, "form": form, "programmes": form.programmes, "current": current}
    return render(request, "registry/me/consents.html", context)


@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, number: str) -> HttpResponse:
    person = _guard(request, number)
    if person is None:
        return redirect("registry:me")
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        person_leave(person=person, channel=Channel.SELF)
        messages.success(
            request,
            _("You have left the registry. Your record will not be shared or exported any more."),
        )
        return redirect("registry:me_person", number=person.registration_number)
    return render(request, "registry/me/leave.html", {"person": person})


def card(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    """The registration card of one of the signed-in registrant's records."""
    person = _guard(request, number)
    if person is None:
        return redirect("registry:me")
    base_url = request.build_absolute_uri("/").rstrip("/")
    render_card, content_type = (
        (card_pdf, "application/pdf") if fmt == "pdf" else (card_png, "image/png")
    )
    response = HttpResponse(render_card(person, base_url=base_url), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="registration-card-{person.registration_number}.{fmt}"'
    )
    response["Cache-Control"] = "no-store"
    return response
