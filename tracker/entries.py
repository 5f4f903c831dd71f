"""One tracker line from each raw row of the tracker's query, in the active language:
what happened, why such access happens, and who (organisation and role, never a staff
member's name). Names are looked up once per page, in bulk."""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, RoleAssignment
from audit.models import ReadKind
from geography.models import Commune, District, Province
from partners.models import Branch, Partner
from programmes.columns import EXPORT_COLUMNS, columns_ordered
from programmes.models import Programme
from registry.models import Consent, Person, PersonChange
from registry.models.consent import DATA_SHARING_PURPOSE
from registry.models.people import Channel
from sharing.models import ExportMember

# The order of sources among entries of the same instant (the cursor's second part).
READ, EXPORT, CHANGE = 3, 2, 1
SOURCE_NAMES = {READ: "read", EXPORT: "export", CHANGE: "change"}
SOURCE_CODES = {name: code for code, name in SOURCE_NAMES.items()}


# Why each kind of access happens, in plain words (the page shows it under each entry).
READ_EXPLANATIONS: dict[str, Promise] = {
    ReadKind.STAFF_PAGE: gettext_lazy(
        "Staff opened your record on their screen, for example to register you, to correct "
        "your details or to answer your question at the counter."
    ),
    ReadKind.API_DETAIL: gettext_lazy(
        "A partner bank's computer system looked up your record, for example to open an "
        "account or to check a registration it made."
    ),
    ReadKind.API_LIST: gettext_lazy(
        "Your record was on a list a partner bank's computer system asked for, for example "
        "the people its branches registered."
    ),
    ReadKind.ADMIN: gettext_lazy(
        "An administrator of the registry opened your record, for example to fix a mistake "
        "or to answer a complaint."
    ),
    ReadKind.REVIEW_CASE: gettext_lazy(
        "A ministry officer compared your record with another one that may be the same "
        "person, so that nobody is registered twice."
    ),
    ReadKind.EXPORT: gettext_lazy("Staff downloaded a file that included your record."),
}
EXPORT_EXPLANATION = gettext_lazy(
    "The programme received these details because you agreed to share your data with it. "
    "It uses them to contact you or to decide on its help. You can withdraw your consent: "
    "the next file it receives will not include you."
)
REMOVED_EXPLANATION = gettext_lazy(
    "The programme was told that you are no longer on its list (it received your "
    "registration number only)."
)
CHANGE_EXPLANATIONS: dict[str, Promise] = {
    PersonChange.Action.REGISTERED: gettext_lazy("Your record was created."),
    PersonChange.Action.UPDATED: gettext_lazy(
        "Your details were corrected. Every correction is kept with who made it."
    ),
    PersonChange.Action.CONSENT_GIVEN: gettext_lazy(
        "Consent was recorded: from then on this purpose may receive your data."
    ),
    PersonChange.Action.CONSENT_WITHDRAWN: gettext_lazy(
        "Consent was withdrawn: from then on this purpose receives nothing new about you."
    ),
    PersonChange.Action.LEFT: gettext_lazy(
        "The record left the registry: it is no longer shared with anyone."
    ),
    PersonChange.Action.MERGED_FROM: gettext_lazy(
        "Another record of yours was found and joined to this one, so you are counted once."
    ),
    PersonChange.Action.MERGED_INTO: gettext_lazy(
        "This record was joined to another record of yours, so you are counted once."
    ),
    PersonChange.Action.UNMERGED: gettext_lazy(
        "Two records joined by mistake were separated again."
    ),
}


@dataclass
class Entry:
    """One line of the tracker, in the active language."""

    source: str  # "read", "export" or "change"
    id: int
    at: datetime.datetime
    kind: str
    title: str
    explanation: str
    # Who: organisation and role (never a staff member's name).
    organisation: str = ""
    role: str = ""
    programme: Programme | None = None
    # What: the columns a programme received, or the fields a correction changed.
    items: list[str] = field(default_factory=list)
    # The entry concerns a record merged into this one (not the record itself).
    merged_record: bool = False
    # The programme's consent is in force: the entry offers to withdraw it.
    withdrawable: bool = False

    @property
    def key(self) -> str:
        """How a question names the entry (ids only: no personal data)."""
        return f"{self.source}:{self.id}"


# --- Turning rows into entries: names looked up once per page, in bulk. ---------------


@dataclass
class _Names:
    branches: dict[int, Branch]
    partners: dict[int, Partner]
    areas: dict[tuple[str, int], str]
    programmes: dict[int, Programme]
    programmes_by_code: dict[str, Programme]
    actors: dict[int, list[RoleAssignment]]


def _scopes(scope: str) -> list[tuple[str, int]]:
    out = []
    for part in scope.split(";"):
        name, _sep, pk = part.strip().partition(":")
        if pk.isdigit():
            out.append((name, int(pk)))
    return out


def _names(rows: list[tuple]) -> _Names:
    """The names a page's rows refer to, each kind in one query, and only the kinds the
    page needs (most pages need one or two queries)."""
    scopes = [s for row in rows if row[0] == READ for s in _scopes(row[6] or "")]
    actor_ids = {row[10] for row in rows if row[0] == CHANGE and row[10]}
    actors: dict[int, list[RoleAssignment]] = {}
    if actor_ids:
        assignments = RoleAssignment.objects.filter(user_id__in=actor_ids)
        for assignment in assignments:
            actors.setdefault(assignment.user_id, []).append(assignment)
            for name in SCOPE_NAMES:
                pk = getattr(assignment, f"{name}_id")
                if pk:
                    scopes.append((name, pk))

    def ids(kind: str) -> set[int]:
        return {pk for name, pk in scopes if name == kind}

    areas: dict[tuple[str, int], str] = {}
    for kind, model in (("province", Province), ("district", District), ("commune", Commune)):
        if ids(kind):
            for place in model.objects.filter(pk__in=ids(kind)):
                areas[(kind, place.pk)] = place.name
    codes = {
        value
        for row in rows
        if row[0] == CHANGE and row[4] in CONSENT_ACTIONS
        for value in _json(row[9]).get("purpose", [])
        if value and value != DATA_SHARING_PURPOSE
    }
    programme_ids = ids("programme") | {row[7] for row in rows if row[0] == EXPORT}
    programmes = (
        list(Programme.objects.filter(Q(pk__in=programme_ids) | Q(code__in=codes)))
        if programme_ids or codes
        else []
    )
    branches = (
        Branch.objects.filter(pk__in=ids("branch")).select_related("partner")
        if ids("branch")
        else []
    )
    partners = Partner.objects.filter(pk__in=ids("partner")) if ids("partner") else []
    return _Names(
        branches={b.pk: b for b in branches},
        partners={p.pk: p for p in partners},
        areas=areas,
        programmes={p.pk: p for p in programmes},
        programmes_by_code={p.code: p for p in programmes},
        actors=actors,
    )


SCOPE_NAMES = ("branch", "partner", "province", "district", "commune", "programme")


CONSENT_ACTIONS = (PersonChange.Action.CONSENT_GIVEN, PersonChange.Action.CONSENT_WITHDRAWN)
NATIONAL = (Role.MINISTRY_OFFICER, Role.ADMINISTRATOR)


def _partner_name(partner: Partner) -> str:
    from django.utils.translation import get_language

    return partner.name_km if get_language() == "km" and partner.name_km else partner.name


def _organisation(scopes: Iterable[tuple[str, int]], roles: Iterable[str], names: _Names) -> str:
    """Where the staff member works, as the registrant reads it: a bank and branch, a
    programme, an area's administration, or the ministry."""
    parts: list[str] = []
    for name, pk in scopes:
        if name == "branch":
            branch = names.branches.get(pk)
            parts.append(
                _("%(partner)s, %(branch)s branch")
                % {"partner": _partner_name(branch.partner), "branch": branch.name}
                if branch
                else _("A partner bank's branch")
            )
        elif name == "partner":
            partner = names.partners.get(pk)
            parts.append(_partner_name(partner) if partner else _("A partner bank"))
        elif name == "programme":
            programme = names.programmes.get(pk)
            parts.append(programme.name if programme else _("A programme"))
        elif name in ("province", "district", "commune"):
            parts.append(
                _("Administration of %(area)s") % {"area": names.areas.get((name, pk), "—")}
            )
    if not parts and any(role in NATIONAL for role in roles):
        parts.append(_("The Ministry (national)"))
    seen: list[str] = []
    for part in parts:
        if part not in seen:
            seen.append(part)
    return "; ".join(seen)


def _roles(roles: Iterable[str]) -> str:
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(role, _("Staff"))) for role in roles)


def entries_of(*, person: Person, rows: list[tuple]) -> list[Entry]:
    names = _names(rows)
    in_force = (
        set(
            Consent.objects.filter(
                person_id=person.pk, withdrawn_at=None, programme_id__in=list(names.programmes)
            ).values_list("programme_id", flat=True)
        )
        if names.programmes
        else set()
    )
    out = []
    for row in rows:
        src, at, pk, person_id, kind = row[:5]
        merged = person_id != person.pk
        if src == READ:
            roles = list(row[5] or [])
            entry = Entry(
                source="read",
                id=pk,
                at=at,
                kind=kind,
                title=_("Staff opened your record"),
                explanation=str(READ_EXPLANATIONS.get(kind, "")),
                organisation=_organisation(_scopes(row[6] or ""), roles, names),
                role=_roles(roles),
                merged_record=merged,
            )
        elif src == EXPORT:
            programme = names.programmes.get(row[7])
            removed = row[12] == ExportMember.Change.REMOVED
            entry = Entry(
                source="export",
                id=pk,
                at=at,
                kind=kind,
                title=(
                    _("%(programme)s was told you left its list")
                    if removed
                    else _("%(programme)s received your details")
                )
                % {"programme": programme.name if programme else _("A programme")},
                explanation=str(REMOVED_EXPLANATION if removed else EXPORT_EXPLANATION),
                organisation=programme.name if programme else "",
                programme=programme,
                items=(
                    [str(EXPORT_COLUMNS[c]) for c in columns_ordered(row[8] or [])]
                    if not removed
                    else [str(EXPORT_COLUMNS["registration_number"])]
                ),
                merged_record=merged,
                withdrawable=bool(programme and programme.pk in in_force),
            )
        else:
            entry = _change_entry(row, names, in_force, merged)
        out.append(entry)
    return out


def _change_entry(row: tuple, names: _Names, in_force: set[int], merged: bool) -> Entry:
    _src, at, pk, _person, action, *_rest = row
    changes, actor_id, channel = _json(row[9]), row[10], row[11]
    labels = dict(PersonChange.Action.choices)
    entry = Entry(
        source="change",
        id=pk,
        at=at,
        kind=action,
        title=str(labels.get(action, action)),
        explanation=str(CHANGE_EXPLANATIONS.get(action, "")),
        merged_record=merged,
    )
    if actor_id:
        assignments = names.actors.get(actor_id, [])
        scopes = [
            (name, getattr(a, f"{name}_id"))
            for a in assignments
            for name in SCOPE_NAMES
            if getattr(a, f"{name}_id")
        ]
        roles = sorted({a.role for a in assignments})
        entry.organisation = _organisation(scopes, roles, names)
        entry.role = _roles(roles) or _("Staff")
    elif channel in (Channel.SELF, Channel.APP):
        entry.role = _("You")
    elif channel == "merge":
        entry.role = _("The system (duplicate check)")
    else:
        entry.role = str(dict(Channel.choices).get(channel, _("Staff")))
    if action in CONSENT_ACTIONS:
        purpose = next((v for v in changes.get("purpose", []) if v), "")
        if purpose == DATA_SHARING_PURPOSE:
            entry.items = [_("Share my registration with partner institutions")]
        else:
            programme = names.programmes_by_code.get(purpose)
            entry.programme = programme
            entry.items = [programme.name if programme else _("A programme")]
            entry.withdrawable = bool(
                programme
                and action == PersonChange.Action.CONSENT_GIVEN
                and programme.pk in in_force
            )
    elif action == PersonChange.Action.UPDATED:
        entry.items = [_field_label(name) for name in changes]
    return entry


def _json(value) -> dict:
    # Django reads jsonb as text from a raw cursor (its JSONField decodes it otherwise).
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


def _field_label(name: str) -> str:
    try:
        return capfirst(str(getattr(Person._meta.get_field(name), "verbose_name", name)))
    except FieldDoesNotExist:  # a field since removed: its name as written
        return name
