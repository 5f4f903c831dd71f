"""Who may see and manage which programme's rules and exports."""

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.selectors import user_assignments, user_roles
from programmes.models import EligibilityRule, Programme
from programmes.rules import Criteria
from sharing.models import ExportJob, ExportMember


def programme_criteria(programme: Programme) -> Criteria:
    """The programme's rule as criteria (no rule yet: everyone)."""
    rule = EligibilityRule.objects.filter(programme=programme).first()
    return rule.criteria() if rule else Criteria()


def programmes_managed_by(*, user: User) -> QuerySet[Programme]:
    """Administrators manage every programme; programme officers the ones they serve."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if Role.ADMINISTRATOR in user_roles(user=user):
        return Programme.objects.all()
    ids = [
        a.programme_id
        for a in user_assignments(user=user)
        if a.role == Role.PROGRAMME_OFFICER and a.programme_id
    ]
    return Programme.objects.filter(pk__in=ids)


def programme_managed_by(*, programme: Programme, user: User) -> bool:
    return programmes_managed_by(user=user).filter(pk=programme.pk).exists()


def export_jobs_visible_to(*, user: User) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(programme__in=programmes_managed_by(user=user)).select_related(
        "programme", "requested_by"
    )


def export_job_downloadable_by(*, job: ExportJob, user: User) -> bool:
    """Only the programme's own officers and administrators download its files."""
    return programme_managed_by(programme=job.programme, user=user)


def export_inclusions_of(*, person_id: int) -> QuerySet[ExportMember]:
    """Each export or delta that included the person (sent, new, changed or removed),
    newest first, with its job and programme: by the index on ExportMember.person."""
    return (
        ExportMember.objects.filter(person_id=person_id)
        .exclude(change=ExportMember.Change.UNCHANGED)
        .select_related("job", "job__programme")
        .order_by("-job__created_at", "-job_id")
    )
