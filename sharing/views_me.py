"""/me/<number>/programmes/: which programmes a registrant may be eligible for, what each
would receive, and consent in one click (the registrant's session, as every /me/ page)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programmes.models import Programme
from registry.models.people import Channel
from registry.services.consent import consent_give, consent_withdraw
from registry.views.registrant_auth import registrant_person_or_404, registrant_phone
from sharing.registrant import programmes_for_person


def programmes(request: HttpRequest, number: str) -> HttpResponse:
    if not registrant_phone(request):
        return redirect("registry:me")
    person = registrant_person_or_404(request, number)
    context = {"person": person, "items": programmes_for_person(person=person)}
    return render(request, "sharing/me_programmes.html", context)


@require_POST
def consent(request: HttpRequest, number: str, code: str) -> HttpResponse:
    if not registrant_phone(request):
        return redirect("registry:me")
    person = registrant_person_or_404(request, number)
    programme = get_object_or_404(Programme, code=code, is_active=True)
    if person.status != person.Status.ACTIVE:
        messages.error(request, _("This record has left the registry and cannot be changed."))
    elif request.POST.get("consent") == "give":
        consent_give(person=person, programme=programme, channel=Channel.SELF)
        messages.success(
            request, _("%(programme)s may now contact you.") % {"programme": programme.name}
        )
    else:
        consent_withdraw(person=person, programme=programme, channel=Channel.SELF)
        messages.success(
            request,
            _("%(programme)s will no longer receive your details.") % {"programme": programme.name},
        )
    return redirect("sharing_me:programmes", number=person.registration_number)
