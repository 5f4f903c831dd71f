"""People's decisions on possible duplicates (the review queue)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dedup.models import DuplicateCase, Merge
from dedup.selectors import dedup_batch_running
from dedup.services.merge import merge_undo, person_merge
from onboarding.jobs import enqueue_on_commit


@transaction.atomic
def duplicate_case_decide(
    *, case: DuplicateCase, same_person: bool, actor: User | None, survivor_side: str = "a"
) -> DuplicateCase:
    """ "Same person" merges the pair (into the side chosen); "different people" closes it
    for good: the engine never proposes a pair that has been decided."""
    case = (
        DuplicateCase.objects.select_for_update()
        .select_related("person_a", "person_b")
        .get(pk=case.pk)
    )
    if case.decision != DuplicateCase.Decision.OPEN:
        raise ValidationError(
            _("This pair was already decided (%(decision)s)."),
            code="case_decided",
            params={"decision": case.get_decision_display()},
        )
    if same_person:
        survivor, merged = (
            (case.person_a, case.person_b)
            if survivor_side == "a"
            else (case.person_b, case.person_a)
        )
        person_merge(survivor=survivor, merged=merged, case=case, actor=actor)
        case.refresh_from_db()
        return case
    case.decision = DuplicateCase.Decision.DIFFERENT
    case.decided_by = actor
    case.decided_at = timezone.now()
    case.automatic = False
    case.save(update_fields=["decision", "decided_by", "decided_at", "automatic", "updated_at"])
    return case


def duplicate_cases_decide(
    *, case_ids: list[int], same_person: bool, actor: User | None
) -> dict[str, int]:
    """Bulk decisions; each pair in its own transaction so one refusal stops no other."""
    outcome = {"decided": 0, "refused": 0}
    for case in DuplicateCase.objects.filter(pk__in=case_ids, decision=DuplicateCase.Decision.OPEN):
        try:
            duplicate_case_decide(case=case, same_person=same_person, actor=actor)
        except ValidationError:
            outcome["refused"] += 1
        else:
            outcome["decided"] += 1
    return outcome


def merge_undo_by_reviewer(*, merge_id: int, actor: User | None) -> Merge:
    return merge_undo(merge=Merge.objects.get(pk=merge_id), actor=actor)


def dedup_batch_start(*, actor: User) -> None:
    """Queue a whole-registry check (it resumes an unfinished one); refused while one runs."""
    if dedup_batch_running():
        raise ValidationError(_("A whole-registry check is already running."), code="dedup_running")
    enqueue_on_commit("dedup.tasks.dedup_batch_run", resume=True, started_by_id=actor.pk)
