"""Reading intake batches and their rows, scoped like the branch pages."""

from django.db.models import Count, QuerySet

from accounts.models import User
from partners.intake.output import errors_in_language, errors_text
from partners.models import IntakeBatch, IntakeRow
from partners.selectors import branch_list_for


def intake_batch_list_visible_to(*, user: User) -> QuerySet[IntakeBatch]:
    """Batches of the branches `user` works with (branch staff: their branch; partner
    supervisor: their partner's); an administrator (superuser) sees every batch."""
    batches = IntakeBatch.objects.select_related("branch__partner", "uploaded_by")
    if not user.is_authenticated:
        return batches.none()
    if user.is_superuser:
        return batches
    return batches.filter(branch__in=branch_list_for(user=user))


def intake_row_list(*, batch: IntakeBatch, status: str | None = None) -> QuerySet[IntakeRow]:
    """The batch's rows in file order, optionally of one status (for the preview)."""
    rows = IntakeRow.objects.filter(batch=batch).order_by("row_number")
    return rows.filter(status=status) if status else rows


def intake_row_counts(*, batch: IntakeBatch) -> dict[str, int]:
    """{status: rows} counted from the rows themselves (every status present, 0 if none)."""
    counts = dict.fromkeys(IntakeRow.Status.values, 0)
    grouped = (
        IntakeRow.objects.filter(batch=batch)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, count in grouped:
        counts[status] = count
    return counts


def intake_row_errors(*, row: IntakeRow, language: str) -> list[tuple[str, str]]:
    """[(column, message)] of an invalid row in `language` (km or en), in column order."""
    return errors_in_language(row.errors, language)


def intake_row_errors_text(*, row: IntakeRow, language: str) -> str:
    """'column: message; ...' as in the rejected-rows file."""
    return errors_text(row.errors, language)


def intake_batch_progress(*, batch: IntakeBatch) -> int:
    """Percent done of the current step (validating or committing), 0-100."""
    if batch.status in (IntakeBatch.Status.VALIDATED, IntakeBatch.Status.COMMITTED):
        return 100
    if batch.status == IntakeBatch.Status.COMMITTING:
        total = batch.valid_rows
    elif batch.status == IntakeBatch.Status.VALIDATING:
        total = batch.total_rows
    else:
        return 0
    if not total:
        return 0
    return min(100, batch.processed_rows * 100 // total)
