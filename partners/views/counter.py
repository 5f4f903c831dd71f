"""The branch counter: applicants of the branch, assisted registration, corrections."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from audit.models import ReadKind
from audit.web import request_reads_record
from geography.forms import is_picker_refresh, picker_keep
from partners.forms import ConsentProofForm, CounterForm, staff_wording
from partners.selectors import branch_counts, branch_list_for, registrations_made_by
from registry.forms.registration import (
    ConsentForm,
    DetailsForm,
    WorkForm,
    WorkplaceForm,
    assisted_data_clean,
    person_initial,
    unprefixed,
)
from registry.models import Consent, Person
from registry.models.people import Channel
from registry.regnumber import registration_number_clean, registration_number_display
from registry.selectors.history import person_history
from registry.selectors.people import (
    NAME_MIN_LENGTH,
    SearchTooShortError,
    person_list_visible_to,
    person_page,
    person_search,
    person_survivors,
)
from registry.services.people import person_data_clean, person_update
from registry.services.registration import registration_submit

PAGE_SIZE = 25
STAFF = (Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR)


@login_required
@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def branch_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The counter: this branch's applicants (or the partner's, for a supervisor).

    The search form is POSTed, so what staff type (names, phones, ID numbers) stays out
    of addresses and access logs; `?q=` still works for old bookmarks. Pages follow on
    from where the last one ended (no count of every match)."""
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "")[:100]
    error = ""
    try:
        people = person_search(queryset=person_list_visible_to(user=request.user), query=query)
    except SearchTooShortError:
        people = Person.objects.none()
        error = _("Type at least %(n)s letters of the name, or a whole number.") % {
            "n": NAME_MIN_LENGTH
        }
    people = people.select_related("village__commune__district__province", "branch")
    page = person_page(
        queryset=people,
        cursor=source.get("cursor", ""),
        size=PAGE_SIZE,
        searched=bool(query.strip()),
    )
    context = {
        "branches": branch_counts(branches=branch_list_for(user=request.user)),
        "page": page,
        "query": query,
        "search_error": error,
    }
    if request.headers.get("HX-Target") == "results":  # htmx: the results alone
        return render(request, "partners/_applicant_results.html", context)
    return render(request, "partners/branch_home.html", context)


def counter_forms(request: AuthenticatedHttpRequest, data=None, files=None) -> dict:
    """The counter page's forms, bound to `data` when given (as the page posts them)."""
    actor_type = (data or {}).get("w-actor_type", "")
    forms = {
        "counter": CounterForm(data, files, branches=branch_list_for(user=request.user)),
        "details": DetailsForm(data, prefix="d"),
        "work": WorkForm(data, prefix="w"),
        "workplace": WorkplaceForm(data, prefix="p", actor_type=actor_type),
        "consent": ConsentForm(data),
        "proof": ConsentProofForm(data, files),
    }
    staff_wording(forms)
    return forms


CONSENT_UNCONFIRMED = gettext_lazy(
    "Confirm that the applicant agreed to each ticked purpose, or untick them."
)


@dataclass
class CounterOutcome:
    """What a counter submission came to: the forms (with their errors) and, when it was
    registered, the person and whether this submission created them."""

    forms: dict
    person: Person | None = None
    created: bool = False


def counter_submit(request: AuthenticatedHttpRequest) -> CounterOutcome:
    """Check the counter's forms as posted and register the applicant: the one path of
    the counter page and of its offline queue (partners.views.offline)."""
    forms = counter_forms(request, request.POST, request.FILES)
    if not all(form.is_valid() for form in forms.values()):
        return CounterOutcome(forms)
    counter, consent, proof = forms["counter"], forms["consent"], forms["proof"]
    wanted = consent.wanted()
    if wanted and not proof.cleaned_data["consent_confirmed"]:
        proof.add_error("consent_confirmed", CONSENT_UNCONFIRMED)
        return CounterOutcome(forms)
    cleaned = assisted_data_clean(
        details=forms["details"],
        work=forms["work"],
        workplace=forms["workplace"],
        phone=counter.cleaned_data["phone"],
    )
    if cleaned is None:
        return CounterOutcome(forms)
    data, work = cleaned
    person, created = registration_submit(
        data=data,
        work=work,
        consents=wanted,
        channel=Channel.BRANCH,
        entered_by=request.user,
        branch=counter.cleaned_data["branch"],
        reference=counter.cleaned_data["reference"],
        campaign=counter.cleaned_data.get("campaign"),
        consent_evidence=proof.cleaned_data["consent_photo"],
    )
    return CounterOutcome(forms, person, created)


@login_required
@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assisted registration: the whole form on one page, for staff at the counter."""
    if request.method == "GET":
        return _render_register(request, counter_forms(request))
    if is_picker_refresh(request.POST):
        forms = counter_forms(request, request.POST, request.FILES)
        forms["details"] = DetailsForm(initial=unprefixed(request.POST, "d"), prefix="d")
        staff_wording(forms)
        picker_keep(forms["details"], "d-village", request.POST)
        return _render_register(request, forms)
    outcome = counter_submit(request)
    person = outcome.person
    if person is None:
        return _render_register(request, outcome.forms)
    if outcome.created:
        messages.success(
            request,
            _("Registered. Registration number: %(n)s")
            % {"n": registration_number_display(person.registration_number)},
        )
    else:
        messages.warning(
            request,
            _("Form number %(ref)s was already registered; nothing was added. Here is that record.")
            % {"ref": person.reference},
        )
    return redirect("partners:applicant", number=person.registration_number)


def _render_register(request, forms) -> HttpResponse:
    context = {**forms, "form": forms["consent"], "programmes": forms["consent"].programmes}
    return render(request, "partners/register.html", context)


def _own_merged_record(request: AuthenticatedHttpRequest, number: str) -> Person | None:
    """A record this user's branches made that dedup found to be someone already
    registered and merged into that record (seconds after the counter, often)."""
    clean = registration_number_clean(number)
    if not clean:
        return None
    return (
        registrations_made_by(user=request.user)
        .filter(registration_number=clean, status=Person.Status.MERGED)
        .first()
    )


def _already_registered(request: AuthenticatedHttpRequest, merged: Person) -> HttpResponse:
    """Say the person was already registered, with the surviving record when it is in the
    user's scope; otherwise only that it exists (README, "What a branch may learn")."""
    survivor_id = person_survivors(person_ids=[merged.pk]).get(merged.pk, (None, None))[0]
    survivor = (
        person_list_visible_to(user=request.user).filter(pk=survivor_id).first()
        if survivor_id
        else None
    )
    context = {"merged": merged, "survivor": survivor}
    return render(request, "partners/applicant_merged.html", context)


def _applicant_or_404(request: AuthenticatedHttpRequest, number: str) -> Person:
    clean = registration_number_clean(number)
    person = (
        person_list_visible_to(user=request.user)
        .select_related("village__commune__district__province", "branch", "entered_by")
        .filter(registration_number=clean)
        .first()
        if clean
        else None
    )
    if person is None:
        raise Http404
    request_reads_record(request, person_ids=[person.pk], kind=ReadKind.STAFF_PAGE)
    return person


@login_required
@role_required(*STAFF)
def applicant(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    merged = _own_merged_record(request, number)
    if merged is not None:
        return _already_registered(request, merged)
    person = _applicant_or_404(request, number)
    context = {
        "person": person,
        "consents": Consent.objects.filter(person=person).select_related("programme"),
        "history": person_history(person=person),
        "employments": person.employments.select_related("enterprise"),
    }
    return render(request, "partners/applicant.html", context)


@login_required
@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def applicant_edit(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    person = _applicant_or_404(request, number)
    initial = person_initial(person)
    data = request.POST if request.method == "POST" else None
    details = DetailsForm(data, initial=initial, prefix="d")
    work = WorkForm(data, initial=initial, prefix="w")
    if data is not None and is_picker_refresh(data):
        details = DetailsForm(initial={**initial, **unprefixed(data, "d")}, prefix="d")
        picker_keep(details, "d-village", data)
    elif data is not None and details.is_valid() and work.is_valid():
        raw = {**details.cleaned_data, **work.cleaned_data, "phone": str(person.phone or "")}
        try:
            cleaned = person_data_clean(raw=raw)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            changes = person_update(
                person=person, data=cleaned, channel=Channel.BRANCH, actor=request.user
            )
            messages.success(request, _("Saved.") if changes else _("Nothing was changed."))
            return redirect("partners:applicant", number=person.registration_number)
    context = {"person": person, "details": details, "work": work}
    return render(request, "partners/applicant_edit.html", context)
