"""Planning campaigns and events, their codes, and which campaign a poster's code names.

Every rule of the issue's "bad input" lives here once, so the organisers' pages, the
admin and any future API refuse the same things with the same words.

A registration credits its campaign in registry.services.registration_many (the
registry sits above campaigns), with the other rows of the registration.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import Campaign, Event, code_new
from campaigns.selectors import area_allowed_for, organiser_areas
from geography.areas import Area

# Path segments beside /campaigns/<code>/: a campaign may not be called by these.
RESERVED_CODES = {"NEW", "COVERAGE", "EVENTS", "POSTER"}


@dataclass
class CampaignData:
    name_km: str
    name_en: str
    area: Area
    starts_on: datetime.date
    ends_on: datetime.date
    target: int
    status: str = Campaign.Status.PLANNED
    partners: list[Any] = field(default_factory=list)
    code: str = ""


@dataclass
class EventData:
    name: str
    village: Any
    held_on: datetime.date
    place: str = ""
    expected_attendance: int | None = None
    actual_attendance: int | None = None


@dataclass(frozen=True)
class CodeTarget:
    """What a poster's code credits: a campaign, and the event when it is an event's code."""

    campaign: Campaign
    event: Event | None = None


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def code_normalise(code: str) -> str:
    return (code or "").strip().upper()


def code_is_free(code: str, *, campaign: Campaign | None = None) -> bool:
    """No other campaign or event uses `code` (they share one namespace on posters)."""
    taken = Campaign.objects.filter(code__iexact=code)
    if campaign is not None and campaign.pk:
        taken = taken.exclude(pk=campaign.pk)
    return not taken.exists() and not Event.objects.filter(code__iexact=code).exists()


def campaign_clean(*, actor: User, data: CampaignData, campaign: Campaign | None = None) -> None:
    """Refuse what the issue calls bad input, naming the field and what to do."""
    errors: dict[str, list[str]] = {}
    if not data.name_km.strip():
        errors.setdefault("name_km", []).append(_("Enter the campaign's name in Khmer."))
    if not data.name_en.strip():
        errors.setdefault("name_en", []).append(_("Enter the campaign's name in English."))
    if data.target is None or data.target <= 0:
        errors.setdefault("target", []).append(_("The target must be at least one registration."))
    if data.ends_on < data.starts_on:
        errors.setdefault("ends_on", []).append(
            _("The campaign cannot end before it starts: the end date is before the start date.")
        )
    if not data.area.is_consistent():
        errors.setdefault("area", []).append(_("Choose the area again: its levels do not match."))
    elif not area_allowed_for(user=actor, area=data.area):
        names = ", ".join(str(a) for a in organiser_areas(user=actor)) or _("none")
        errors.setdefault("area", []).append(
            _("You may plan campaigns only in your assigned area: %(areas)s.") % {"areas": names}
        )
    if data.code:
        code = code_normalise(data.code)
        if code in RESERVED_CODES:
            errors.setdefault("code", []).append(_("This code is reserved. Choose another."))
        elif not code_is_free(code, campaign=campaign):
            errors.setdefault("code", []).append(
                _("Another campaign or event already uses this code. Choose another.")
            )
    if campaign is not None and campaign.pk and not errors:
        for event in campaign.events.select_related("village__commune__district__province"):
            problem = _event_problem(
                area=data.area,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                village=event.village,
                held_on=event.held_on,
            )
            if problem:
                errors.setdefault("__all__", []).append(
                    _("The event “%(event)s” would no longer fit: %(problem)s")
                    % {"event": event.name, "problem": problem}
                )
    if errors:
        raise ValidationError(errors)


def _apply(campaign: Campaign, data: CampaignData) -> None:
    area = data.area
    campaign.name_km = data.name_km.strip()
    campaign.name_en = data.name_en.strip()
    campaign.province = area.province
    campaign.district = area.district
    campaign.commune = area.commune
    campaign.village = area.village
    campaign.starts_on = data.starts_on
    campaign.ends_on = data.ends_on
    campaign.target = data.target
    campaign.status = data.status


@transaction.atomic
def campaign_create(*, actor: User, data: CampaignData) -> Campaign:
    campaign_clean(actor=actor, data=data)
    campaign = Campaign(organiser=actor, code=code_normalise(data.code) or code_new())
    _apply(campaign, data)
    campaign.save()
    campaign.partners.set(data.partners)
    return campaign


@transaction.atomic
def campaign_update(*, actor: User, campaign: Campaign, data: CampaignData) -> Campaign:
    campaign_clean(actor=actor, data=data, campaign=campaign)
    _apply(campaign, data)
    if data.code:
        campaign.code = code_normalise(data.code)
    campaign.save()
    campaign.partners.set(data.partners)
    return campaign


def _event_problem(
    *, area: Area, starts_on: datetime.date, ends_on: datetime.date, village, held_on
) -> str:
    if not starts_on <= held_on <= ends_on:
        return _("the date %(date)s is outside the campaign's period (%(start)s to %(end)s).") % {
            "date": _date(held_on),
            "start": _date(starts_on),
            "end": _date(ends_on),
        }
    if not area.contains(Area.of_village(village)):
        return _("the village %(village)s is outside the campaign's area (%(area)s).") % {
            "village": village.name,
            "area": str(area),
        }
    return ""


def event_clean(*, campaign: Campaign, data: EventData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Enter the event's name.")]
    if not campaign.starts_on <= data.held_on <= campaign.ends_on:
        errors["held_on"] = [
            _("The event must be held within the campaign's period, %(start)s to %(end)s.")
            % {"start": _date(campaign.starts_on), "end": _date(campaign.ends_on)}
        ]
    if data.village is not None and not campaign.area.contains(Area.of_village(data.village)):
        errors["village"] = [
            _("The village must lie in the campaign's area: %(area)s.") % {"area": campaign.area}
        ]
    if data.actual_attendance is not None and data.held_on > timezone.localdate():
        errors["actual_attendance"] = [
            _("Enter the actual attendance after the event has been held.")
        ]
    if errors:
        raise ValidationError(errors)


def _event_apply(event: Event, data: EventData) -> None:
    event.name = data.name.strip()
    event.village = data.village
    event.place = data.place.strip()
    event.held_on = data.held_on
    event.expected_attendance = data.expected_attendance
    event.actual_attendance = data.actual_attendance


@transaction.atomic
def event_create(*, campaign: Campaign, data: EventData) -> Event:
    event_clean(campaign=campaign, data=data)
    event = Event(campaign=campaign, code=code_new())
    _event_apply(event, data)
    event.save()
    return event


@transaction.atomic
def event_update(*, event: Event, data: EventData) -> Event:
    event_clean(campaign=event.campaign, data=data)
    _event_apply(event, data)
    event.save()
    return event


def code_resolve(*, code: str) -> CodeTarget | None:
    """The campaign (and event) a poster's code credits, if it accepts registrations today.

    An unknown code, or one of a closed or finished campaign, gives None: the person
    registers all the same, credited to no campaign.
    """
    code = code_normalise(code)
    if not code:
        return None
    target: CodeTarget | None = None
    campaign = Campaign.objects.filter(code__iexact=code).first()
    if campaign is not None:
        target = CodeTarget(campaign=campaign)
    else:
        event = Event.objects.select_related("campaign").filter(code__iexact=code).first()
        if event is not None:
            target = CodeTarget(campaign=event.campaign, event=event)
    if target is None or not target.campaign.accepts_registrations:
        return None
    return target


def campaign_for_code(*, code: str) -> Campaign | None:
    """The campaign a code credits (a campaign's or one of its events'), if running today."""
    target = code_resolve(code=code)
    return target.campaign if target is not None else None
