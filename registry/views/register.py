"""/register/: self-registration in steps, kept in the session until the last one.

phone → code → details → work → workplace (owners and workers only) → consent →
review → done. Nothing is saved as a record before the review is confirmed, and
everything typed is kept in the session, so an error or a back button loses nothing.
Works without JavaScript: every step is a plain form that posts and redirects.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from api.client_address import client_address
from campaigns.services import code_resolve
from geography.forms import is_picker_refresh, picker_keep
from geography.models import Village
from programmes.models import Programme
from registry.forms.registration import (
    CodeForm,
    ConsentForm,
    DetailsForm,
    PhoneForm,
    WorkForm,
    WorkplaceForm,
)
from registry.models import Enterprise, PhoneCode
from registry.models.people import ActorType, Channel, Sector
from registry.normalise import phone_display
from registry.regnumber import registration_number_format
from registry.services.people import person_data_clean
from registry.services.phone_codes import phone_code_send, phone_code_verify
from registry.services.registration import registration_submit
from registry.services.work import work_data_clean
from registry.views.registrant_auth import registrant_sign_in

SESSION_KEY = "registration"
DONE_KEY = "registration_done"
STEPS = ["phone", "code", "details", "work", "workplace", "consent", "review"]
# Lazy: translated when a page shows them, in that request's language (a plain gettext
# here would fix them in whatever language was active when the module was imported).
STEP_TITLES = {
    "phone": gettext_lazy("Phone"),
    "code": gettext_lazy("Code"),
    "details": gettext_lazy("About you"),
    "work": gettext_lazy("Your work"),
    "workplace": gettext_lazy("Workplace"),
    "consent": gettext_lazy("Consent"),
    "review": gettext_lazy("Check and send"),
}
NEEDS_WORKPLACE = {
    ActorType.MICROENTERPRISE_OWNER,
    ActorType.MICROENTERPRISE_WORKER,
    ActorType.SEASONAL_WORKER,
}


def _state(request: HttpRequest) -> dict:
    return request.session.setdefault(SESSION_KEY, {})


def _save(request: HttpRequest, state: dict) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _steps_for(state: dict) -> list[str]:
    """The steps this person goes through. Until the type of work is known the workplace
    step is counted (three types of work of four need it), so "Step 3 of 7" never grows
    to 8: it only shrinks, for the self-employed, who have no workplace step."""
    actor_type = state.get("work", {}).get("actor_type")
    return [s for s in STEPS if s != "workplace" or not actor_type or actor_type in NEEDS_WORKPLACE]


def _first_missing(state: dict) -> str:
    for step in _steps_for(state):
        if step == "phone" and not state.get("phone"):
            return step
        if step == "code" and not state.get("verified"):
            return step
        if step in ("details", "work", "workplace", "consent") and step not in state:
            return step
    return "review"


def _next(state: dict, step: str) -> str:
    steps = _steps_for(state)
    return steps[min(steps.index(step) + 1, len(steps) - 1)]


def _go(step: str) -> HttpResponse:
    return redirect("registry:register_step", step=step)


def start(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    code = request.GET.get("campaign", "")
    if code:
        # An unknown or finished code registers the person all the same, credited to no
        # campaign, and says nothing of it: a poster left up is no one's mistake.
        target = code_resolve(code=code)
        if target is not None:
            state["campaign"] = (target.event or target.campaign).code
            _save(request, state)
    return _go(_first_missing(state))


def _village(state: dict) -> Village | None:
    village_id = state.get("details", {}).get("village")
    if not village_id or not str(village_id).isdigit():
        return None
    return Village.objects.filter(pk=village_id).first()


def _form_for(step: str, state: dict, data=None):
    initial = state.get(step) or None
    if step == "phone":
        return PhoneForm(data, initial={"phone": state.get("phone_typed", "")})
    if step == "code":
        return CodeForm(data)
    if step == "details":
        return DetailsForm(data, initial=initial)
    if step == "work":
        return WorkForm(data, initial=initial)
    if step == "workplace":
        return WorkplaceForm(
            data,
            initial=initial,
            actor_type=state.get("work", {}).get("actor_type", ""),
            village=_village(state),
        )
    if step == "consent":
        return ConsentForm(data, initial=initial)
    raise ValueError(step)


def _raw(form, data) -> dict:
    """What the user typed, as the session keeps it (lists for multi-value fields)."""
    raw = {}
    for name, field in form.fields.items():
        if (
            hasattr(field.widget, "allow_multiple_selected")
            and field.widget.allow_multiple_selected
        ):
            raw[name] = data.getlist(name)
        else:
            raw[name] = data.get(name, "")
    return raw


@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEPS:
        return _go("phone")
    state = _state(request)
    if step not in _steps_for(state):
        return _go(_first_missing(state))
    # No step may be reached before the ones it depends on.
    order = _steps_for(state)
    missing = _first_missing(state)
    if order.index(step) > order.index(missing):
        return _go(missing)
    if step == "review":
        return _review(request, state)

    if request.method == "POST" and request.POST.get("resend") and step == "code":
        return _send_code(request, state, state.get("phone", ""))

    form = _form_for(step, state, request.POST if request.method == "POST" else None)
    if request.method == "POST" and step == "details" and is_picker_refresh(request.POST):
        # The no-JavaScript picker asked to show the next level: redisplay, keep input.
        state["details_draft"] = _raw(form, request.POST)
        _save(request, state)
        form = DetailsForm(initial=state["details_draft"])
        picker_keep(form, "village", request.POST)
        return _render_step(request, state, step, form)
    if request.method == "POST":
        if step == "phone":
            state["phone_typed"] = request.POST.get("phone", "")
            _save(request, state)
            if form.is_valid():
                return _send_code(request, state, form.cleaned_data["phone"])
        elif step == "code":
            if form.is_valid():
                try:
                    phone_code_verify(
                        code_id=state.get("code_id", 0),
                        code=form.cleaned_data["code"],
                        phone=state.get("phone", ""),
                    )
                except ValidationError as error:
                    form.add_error("code", error)
                else:
                    state["verified"] = True
                    _save(request, state)
                    return _go(_next(state, step))
        elif form.is_valid():
            if step == "consent":
                state[step] = {"purposes": form.cleaned_data["purposes"]}
            else:
                state[step] = _raw(form, request.POST)
            if step == "work" and state[step].get("actor_type") not in NEEDS_WORKPLACE:
                state.pop("workplace", None)
            _save(request, state)
            return _go(_next(state, step))
        else:
            # Keep what was typed even when it has errors.
            state[f"{step}_draft"] = _raw(form, request.POST)
            _save(request, state)
    elif step == "details" and state.get("details_draft") and "details" not in state:
        form = DetailsForm(initial=state["details_draft"])
    return _render_step(request, state, step, form)


def _send_code(request: HttpRequest, state: dict, phone: str) -> HttpResponse:
    try:
        record = phone_code_send(
            phone=phone, purpose=PhoneCode.Purpose.REGISTER, ip_address=client_address(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _go("phone")
    state.update({"phone": phone, "code_id": record.pk, "verified": False})
    _save(request, state)
    messages.info(
        request, _("We sent a code by SMS to %(phone)s.") % {"phone": phone_display(phone)}
    )
    return _go("code")


def _render_step(request, state, step, form) -> HttpResponse:
    steps = _steps_for(state)
    context = {
        "step": step,
        "form": form,
        "steps": [(s, STEP_TITLES[s]) for s in steps],
        "step_number": steps.index(step) + 1,
        "step_count": len(steps),
        "phone": state.get("phone"),
        "programmes": Programme.objects.filter(is_active=True) if step == "consent" else [],
        "campaign": _campaign_name(state),
    }
    return render(request, f"registry/register/{step}.html", context)


def _campaign_name(state: dict) -> str:
    target = code_resolve(code=state.get("campaign", ""))
    return target.campaign.name if target is not None else ""


def _collect(state: dict):
    """Re-validate everything through the services, as a whole record."""
    raw = {**state.get("details", {}), **state.get("work", {}), "phone": state.get("phone")}
    data = person_data_clean(raw=raw, phone_required=True)
    work = work_data_clean(raw=state.get("workplace", {}), actor_type=data.actor_type)
    purposes = {
        None if value == "data_sharing" else int(value)
        for value in state.get("consent", {}).get("purposes", [])
    }
    return data, work, purposes


def _review(request: HttpRequest, state: dict) -> HttpResponse:
    try:
        data, work, purposes = _collect(state)
    except ValidationError as error:
        # A rule changed or the session was tampered with: send them to fix it.
        messages.error(request, " ".join(error.messages))
        state.pop("details", None)
        _save(request, state)
        return _go("details")
    if request.method == "POST":
        # Checked again: the campaign may have closed while the person was registering.
        target = code_resolve(code=state.get("campaign", ""))
        person, _created = registration_submit(
            data=data,
            work=work,
            consents=purposes,
            channel=Channel.CAMPAIGN if target else Channel.SELF,
            campaign=target.campaign if target else None,
            event=target.event if target else None,
        )
        registrant_sign_in(request, phone=str(person.phone))
        request.session.pop(SESSION_KEY, None)
        request.session[DONE_KEY] = person.registration_number
        return redirect("registry:register_done")
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in=purposes - {None})}
    steps = _steps_for(state)
    context = {
        "data": data,
        "work": work,
        "consented": [programmes[p] for p in purposes if p is not None and p in programmes],
        "data_sharing": None in purposes,
        "steps": [(s, STEP_TITLES[s]) for s in steps],
        "step": "review",
        "step_number": len(steps),
        "step_count": len(steps),
        "employer": _employer_name(work),
        "actor_type_label": ActorType(data.actor_type).label,
        "sector_label": Sector(data.sector).label,
    }
    return render(request, "registry/register/review.html", context)


def _employer_name(work) -> str:
    if work.employer_id:
        enterprise = Enterprise.objects.filter(pk=work.employer_id).first()
        return enterprise.name if enterprise else ""
    return work.employer_name


def done(request: HttpRequest) -> HttpResponse:
    number = request.session.get(DONE_KEY)
    if not number:
        return redirect(reverse("registry:register"))
    context = {"number": number, "number_display": registration_number_format(number)}
    return render(request, "registry/register/done.html", context)
