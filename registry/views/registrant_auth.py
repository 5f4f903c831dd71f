"""Registrants prove who they are with a phone code; the session then holds the phone.

They are not Django users: the verified phone opens the records registered with it
(a household may share one phone), for 30 minutes of activity.
"""

import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone

from registry.models import Person
from registry.regnumber import registration_number_clean
from registry.selectors.people import registrant_records

PHONE_KEY = "registrant_phone"
SINCE_KEY = "registrant_since"
SESSION_LIFETIME = datetime.timedelta(minutes=30)


def registrant_sign_in(request: HttpRequest, *, phone: str) -> None:
    request.session.cycle_key()  # a new session id: no fixation
    request.session[PHONE_KEY] = phone
    request.session[SINCE_KEY] = timezone.now().isoformat()


def registrant_sign_out(request: HttpRequest) -> None:
    request.session.pop(PHONE_KEY, None)
    request.session.pop(SINCE_KEY, None)
    request.session.cycle_key()


def registrant_phone(request: HttpRequest) -> str | None:
    phone = request.session.get(PHONE_KEY)
    since = request.session.get(SINCE_KEY)
    if not phone or not since:
        return None
    if timezone.now() - datetime.datetime.fromisoformat(since) > SESSION_LIFETIME:
        registrant_sign_out(request)
        return None
    request.session[SINCE_KEY] = timezone.now().isoformat()  # sliding expiry
    return phone


def registrant_people(*, phone: str):
    """Records registered with this phone that their holder may see (not merged ones)."""
    return registrant_records(phone=phone)


def registrant_person_or_404(request: HttpRequest, number: str) -> Person:
    phone = registrant_phone(request)
    clean = registration_number_clean(number)
    if not phone or not clean:
        raise Http404
    person = registrant_people(phone=phone).filter(registration_number=clean).first()
    if person is None:
        raise Http404
    return person
