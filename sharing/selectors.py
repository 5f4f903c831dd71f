"""Who may see and manage which programme's rules and exports."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class ExportInclusion:
    job: ExportJob
    # ExportMember.Change: in a full list SENT (or NEW or CHANGED since the list before);
    # in a delta NEW, CHANGED or REMOVED.
    change: int


def export_inclusions_of(*, person_id: int) -> list[ExportInclusion]:
    """Each finished export file that included the person, oldest first: the full lists
    they were in and the deltas that listed them.

    ExportMember holds, per job, only the people that changed since the job's base (see
    sharing.exports.delta), read here by its index on person; a full list also holds
    the people its base chain had sent and that did not change, found by walking the
    programme's jobs (a base is always an earlier job)."""
    rows = dict(ExportMember.objects.filter(person_id=person_id).values_list("job_id", "change"))
    if not rows:
        return []
    programmes = ExportJob.objects.filter(pk__in=list(rows)).values("programme_id")
    jobs = (
        ExportJob.objects.filter(programme__in=programmes)
        .select_related("programme")
        .order_by("pk")
    )
    last: dict[int, int | None] = {}  # job id: the person's change in that job's state
    out = []
    for job in jobs:
        own = rows.get(job.pk)
        state = own if own is not None else last.get(job.base_id) if job.base_id else None
        last[job.pk] = state
        finished = job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED) or (
            job.status == ExportJob.Status.FAILED and job.error == "file_missing"
        )
        if not finished:
            continue
        if job.kind == ExportJob.Kind.DELTA:
            if own is not None and own != ExportMember.Change.UNCHANGED:
                out.append(ExportInclusion(job=job, change=own))
        elif state is not None and state != ExportMember.Change.REMOVED:
            change = own if own in (ExportMember.Change.NEW, ExportMember.Change.CHANGED) else 0
            out.append(ExportInclusion(job=job, change=change))
    return out
