"""The registration rules a browser checks before it queues a registration offline.

Published as data (`form_rules`), never re-typed in JavaScript: which fields a form
requires and the server's message for each come from binding the very forms the server
uses to empty input; what each value must look like comes from the normaliser's own
patterns and limits (registry.normalise); every message is the one the service raises,
obtained by asking the service (`_said`). `static/js/offline-rules.js` applies them.

The browser is a first check, never the judge: where a rule needs the server (a
phone number only phonenumbers' parser can read, a village that may have gone) the
browser lets the value through and the server's answer, at sync, says what to fix.
"""

import datetime
from collections.abc import Callable, Mapping
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from registry import normalise
from registry.services.work import MAX_WORKERS, work_data_clean

# The checks a field gets by its name (the service field it feeds).
CHECKS = {
    "name_km": "name_km",
    "name_latin": "name_latin",
    "date_of_birth": "date",
    "national_id": "national_id",
    "phone": "phone",
    "workers": "count",
}

# In a message, the place where the browser writes the length it counted.
LENGTH_MARK = 987654321


def _said(check: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The message `check` refuses these arguments with, in the current language."""
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        return str(error.messages[0])
    raise AssertionError(f"{check.__name__} accepted {args!r}")


def _char_class(*ranges: range) -> str:
    return "".join(f"\\u{r.start:04x}-\\u{r.stop - 1:04x}" for r in ranges)


def _phone_matcher(matcher) -> dict | None:
    if matcher is None:
        return None
    lengths, pattern = matcher
    return {"lengths": sorted(lengths), "pattern": f"^(?:{pattern.pattern})$"}


def value_rules(*, today: datetime.date) -> dict:
    """What each kind of value must look like, with the service's message for each refusal."""
    future = today + datetime.timedelta(days=1)
    young = datetime.date(today.year - normalise.MIN_AGE + 1, 1, 1)
    old = datetime.date(today.year - normalise.MAX_AGE - 2, 1, 1)
    return {
        "khmer_digits": "០១២៣៤៥៦៧៨៩",
        "name_km": {
            "letter": f"[{_char_class(normalise._KHMER_LETTERS)}]",
            "allowed": f"^[ {_char_class(normalise._KHMER_NAME_CHARACTERS)}]+$",
            "digit": f"[\\p{{Nd}}{_char_class(normalise._KHMER_NUMERALS)}]",
            "messages": {
                "digits": _said(normalise.normalise_name_km, "ក1"),
                "script": _said(normalise.normalise_name_km, "Sok"),
            },
        },
        "name_latin": {
            "digit": f"[\\p{{Nd}}{_char_class(normalise._KHMER_NUMERALS)}]",
            "apostrophes": "\u2019\u2018\u02bc`\u00b4",
            "hyphens": "\u2010\u2011\u2012\u2013",
            "separators": normalise._LATIN_NAME_SEPARATORS,
            "messages": {
                "digits": _said(normalise.normalise_name_latin, "Sok1"),
                "script": _said(normalise.normalise_name_latin, "សុខ"),
                "format": _said(normalise.normalise_name_latin, "Sok--Dara"),
            },
        },
        "date": {
            "formats": [
                {"pattern": f"^{normalise._ISO_DATE.pattern}$", "order": ["y", "m", "d"]},
                {"pattern": f"^{normalise._DAY_MONTH_YEAR.pattern}$", "order": ["d", "m", "y"]},
            ],
            "min_age": normalise.MIN_AGE,
            "max_age": normalise.MAX_AGE,
            "messages": {
                "format": _said(normalise.parse_date, "1990"),
                "invalid": _said(normalise.parse_date, "31/02/1990"),
                "future": _said(normalise.check_age, future, today=today),
                "too_young": _said(normalise.check_age, young, today=today),
                "too_old": _said(normalise.check_age, old, today=today),
            },
        },
        "national_id": {
            "separators": normalise._NATIONAL_ID_SEPARATORS.pattern,
            "pattern": f"^{normalise._NATIONAL_ID.pattern}$",
            "messages": {
                "format": _said(normalise.normalise_national_id, "12"),
                "placeholder": _said(normalise.normalise_national_id, "111111111"),
            },
        },
        "phone": {
            "characters": f"^{normalise._PHONE_CHARACTERS.pattern}$",
            "separators": normalise._PHONE_SEPARATORS.pattern,
            "country_code": str(normalise.CAMBODIA_COUNTRY_CODE),
            "longest": normalise._KH_LONGEST,
            "general": _phone_matcher(normalise._KH_GENERAL),
            "refused": [_phone_matcher(m) for m in normalise._KH_REFUSED_TYPES],
            "accepted": [_phone_matcher(m) for m in normalise._KH_ACCEPTED_TYPES],
            "messages": {
                "invalid": _said(normalise.normalise_phone, "abc"),
                "foreign": _said(normalise.normalise_phone, "+33 1 23 45 67 89"),
            },
        },
        "count": {
            "max": MAX_WORKERS,
            "message": _said(
                work_data_clean,
                raw={"enterprise_name": "x", "workers": "-1"},
                actor_type="microenterprise_owner",
            ),
        },
    }


def _errors(bound: Mapping[str, forms.Form]) -> dict[str, str]:
    """The first message of each field's error, keyed by the field's HTML name."""
    found = {}
    for form in bound.values():
        for name, messages in form.errors.items():
            if name != NON_FIELD_ERRORS:
                found[form.add_prefix(name)] = str(messages[0])
    return found


def _field_rules(form: forms.Form) -> dict[str, dict]:
    rules = {}
    for name, field in form.fields.items():
        rule: dict[str, Any] = {"label": str(field.label or "")}
        check = CHECKS.get(name)
        if check:
            rule["check"] = check
        for validator in field.validators:
            if isinstance(validator, MaxLengthValidator):
                limit = validator.limit_value
                rule["max_length"] = limit
                rule["max_length_message"] = str(validator.message) % {
                    "limit_value": limit,
                    "show_value": LENGTH_MARK,
                }
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            # A built form field holds its choices as a list of (value, label).
            choices = cast("list[tuple[object, object]]", field.choices)
            rule["choices"] = [str(value) for value, _label in choices if value != ""]
        rules[form.add_prefix(name)] = rule
    return rules


def form_rules(
    *,
    build: Callable[[dict], Mapping[str, forms.Form]],
    switches: Mapping[str, list[str]] | None = None,
    confirmations: list[dict] | None = None,
    alternatives: Mapping[str, list[str]] | None = None,
) -> dict:
    """The rules of a page of forms, as the browser checks them.

    `build(data)` returns the page's forms bound to `data` (as the view builds them).
    Bound to nothing, the errors they report are the required fields and their messages.
    `switches` name choice fields that change what else is required (the type of work):
    for each value, the fields it adds. `confirmations` are the view's own cross-field
    rules, `{"field", "if_any", "message"}`: tick `field` when any of `if_any` is ticked.
    `alternatives` name, for a required field, the fields that may answer in its stead
    (a worker's employer: picked from the list, or typed).
    """
    empty = build({})
    required = _errors(empty)
    fields: dict[str, dict] = {}
    for form in empty.values():
        fields.update(_field_rules(form))
    required_when: dict[str, dict[str, dict[str, str]]] = {}
    for switch, values in (switches or {}).items():
        required_when[switch] = {}
        for value in values:
            errors = _errors(build({switch: value}))
            added = {name: text for name, text in errors.items() if name not in required}
            required_when[switch][value] = added
    now = timezone.now()
    return {
        "fields": fields,
        "required": required,
        "required_when": required_when,
        "confirmations": confirmations or [],
        "alternatives": dict(alternatives or {}),
        "length_mark": LENGTH_MARK,
        "time_zone": settings.TIME_ZONE,
        "values": value_rules(today=timezone.localdate(now)),
        # The server's clock: the browser measures its own clock's error against it once
        # online, so a device set to the wrong date still checks ages as the server will.
        "server_time": now.isoformat(),
        "today": timezone.localdate(now).isoformat(),
    }
