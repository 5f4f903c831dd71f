"""/me/<number>/tracker/: who read the record, which programmes received it, corrections
and consent changes; from an entry, withdraw the consent behind it or ask a question.
The registrant's session opens it, as every /me/ page (registry.views.registrant_auth)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programmes.models import Programme
from registry.models import Consent
from registry.models.people import Channel
from registry.services.consent import consent_withdraw
from registry.views.registrant_auth import registrant_person_or_404, registrant_phone
from tracker.forms import QuestionForm
from tracker.selectors import SYSTEM_JOBS, Cursor, tracker_page
from tracker.services import notices_set, notices_wanted, question_ask


def tracker(request: HttpRequest, number: str) -> HttpResponse:
    if not registrant_phone(request):
        return redirect("registry:me")
    person = registrant_person_or_404(request, number)
    after = Cursor.decode(request.GET.get("after"))
    page = tracker_page(person=person, after=after)
    context = {
        "person": person,
        "page": page,
        "first_page": after is None,
        "system_jobs": SYSTEM_JOBS,
        "notices_wanted": notices_wanted(person=person),
    }
    return render(request, "tracker/tracker.html", context)


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, number: str, code: str) -> HttpResponse:
    """A confirmation page, then the registry's one consent service."""
    if not registrant_phone(request):
        return redirect("registry:me")
    person = registrant_person_or_404(request, number)
    programme = get_object_or_404(Programme, code=code)
    in_force = Consent.objects.filter(person=person, programme=programme, withdrawn_at=None)
    if request.method == "POST":
        if person.status != person.Status.ACTIVE:
            messages.error(request, _("This record has left the registry and cannot be changed."))
        elif consent_withdraw(person=person, programme=programme, channel=Channel.SELF):
            messages.success(
                request,
                _("%(programme)s will no longer receive your details.")
                % {"programme": programme.name},
            )
        return redirect("tracker_me:tracker", number=person.registration_number)
    context = {"person": person, "programme": programme, "in_force": in_force.exists()}
    return render(request, "tracker/withdraw.html", context)


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, number: str) -> HttpResponse:
    if not registrant_phone(request):
        return redirect("registry:me")
    person = registrant_person_or_404(request, number)
    form = QuestionForm(request.POST or None, initial={"about": request.GET.get("about", "")})
    if request.method == "POST" and form.is_valid():
        question_ask(
            person=person,
            text=form.cleaned_data["text"],
            about=form.cleaned_data["about"],
            channel=Channel.SELF,
        )
        messages.success(
            request, _("Your question was sent to the ministry's help desk. It will contact you.")
        )
        return redirect("tracker_me:tracker", number=person.registration_number)
    return render(request, "tracker/ask.html", {"person": person, "form": form})


@require_POST
def notices(request: HttpRequest, number: str) -> HttpResponse:
    if not registrant_phone(request):
        return redirect("registry:me")
    person = registrant_person_or_404(request, number)
    wanted = request.POST.get("first_receipt_sms") == "on"
    notices_set(person=person, first_receipt_sms=wanted)
    messages.success(
        request,
        _("We will send you an SMS when a programme receives your details for the first time.")
        if wanted
        else _("We will not send you an SMS when a programme receives your details."),
    )
    return redirect("tracker_me:tracker", number=person.registration_number)
