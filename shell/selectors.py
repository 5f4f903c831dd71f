from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from programmes.models import Programme

# What each staff role may see of a registrant's record: the privacy notice's "who sees
# it". Every role must be here (tests/shell), so a new role cannot go unexplained.
ROLE_ACCESS: dict[str, Promise] = {
    Role.BRANCH_STAFF: _(
        "The records of the people their own branch registered, to register, correct and help them."
    ),
    Role.PARTNER_SUPERVISOR: _(
        "The records their bank's branches registered, and counts of their bank's work."
    ),
    Role.CAMPAIGN_ORGANISER: _(
        "Counts of registrations in their own area and campaigns, and the records they "
        "registered at events."
    ),
    Role.MINISTRY_OFFICER: _(
        "National counts, and the records they must open to tell whether two registrations "
        "are the same person. Each opening is recorded."
    ),
    Role.PROGRAMME_OFFICER: _(
        "Only the people who agreed to share with their programme, in the programme's "
        "exports. A withdrawn consent leaves the next export."
    ),
    Role.ADMINISTRATOR: _(
        "Everything, to keep the system running. Each change they make is recorded."
    ),
}


def role_access() -> list[tuple[Promise, Promise]]:
    """(role's name, what it sees), in the roles' order."""
    return [(Role(role).label, ROLE_ACCESS[role]) for role in Role.values]


def programmes_offered() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).order_by("code")
