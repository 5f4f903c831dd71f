"""Bulk intake pages: upload, preview, commit, progress, rejected rows, template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from partners.forms import IntakeUploadForm
from partners.intake.output import (
    intake_rejected_rows_csv,
    intake_template_csv,
    intake_template_xlsx,
)
from partners.intake.selectors import (
    intake_batch_list_visible_to,
    intake_batch_progress,
    intake_row_errors,
    intake_row_list,
)
from partners.models import IntakeBatch
from partners.selectors import branch_list_for
from partners.services import intake_batch_commit_request, intake_batch_create

STAFF = (Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR)
IN_PROGRESS = (
    IntakeBatch.Status.UPLOADED,
    IntakeBatch.Status.VALIDATING,
    IntakeBatch.Status.COMMITTING,
)


def _language() -> str:
    return "en" if get_language() == "en" else "km"


@login_required
@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def batches(request: AuthenticatedHttpRequest) -> HttpResponse:
    branches = branch_list_for(user=request.user)
    form = IntakeUploadForm(request.POST or None, request.FILES or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            batch = intake_batch_create(
                branch=form.cleaned_data["branch"],
                uploaded_by=request.user,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("partners:intake_batch", batch_id=batch.pk)
    page = Paginator(intake_batch_list_visible_to(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "partners/intake/list.html", {"form": form, "page": page})


def _batch_or_404(request: AuthenticatedHttpRequest, batch_id: int) -> IntakeBatch:
    batch = intake_batch_list_visible_to(user=request.user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


def _batch_context(request: AuthenticatedHttpRequest, batch: IntakeBatch) -> dict:
    language = _language()
    show = request.GET.get("show", "invalid")
    if show not in ("invalid", "existing", "valid", "committed"):
        show = "invalid"
    # With the person each registered row names (the "registered" tab shows its number).
    rows_shown = intake_row_list(batch=batch, status=show).select_related("person")
    page = Paginator(rows_shown, 50).get_page(request.GET.get("page"))
    rows = [
        {"row": row, "errors": intake_row_errors(row=row, language=language)}
        for row in page.object_list
    ]
    return {
        "batch": batch,
        "progress": intake_batch_progress(batch=batch),
        "in_progress": batch.status in IN_PROGRESS,
        "error": batch.error_en if language == "en" else batch.error_km,
        "show": show,
        "page": page,
        "rows": rows,
    }


@login_required
@role_required(*STAFF)
def batch_detail(request: AuthenticatedHttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    return render(request, "partners/intake/batch.html", _batch_context(request, batch))


@login_required
@role_required(*STAFF)
def batch_progress(request: AuthenticatedHttpRequest, batch_id: int) -> HttpResponse:
    """The status panel alone, polled by htmx while a step runs."""
    batch = _batch_or_404(request, batch_id)
    response = render(request, "partners/intake/progress.html", _batch_context(request, batch))
    if batch.status not in IN_PROGRESS:
        # Done: have htmx reload the whole page so the preview tables appear.
        response["HX-Refresh"] = "true"
    return response


@login_required
@role_required(*STAFF)
@require_POST
def batch_commit(request: AuthenticatedHttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    try:
        intake_batch_commit_request(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("partners:intake_batch", batch_id=batch.pk)


@login_required
@role_required(*STAFF)
def batch_rejected(request: AuthenticatedHttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    language = request.GET.get("language") or _language()
    response = HttpResponse(
        intake_rejected_rows_csv(batch=batch, language=language),
        content_type="text/csv; charset=utf-8",
    )
    stem = batch.original_name.rsplit(".", 1)[0] or "intake"
    response["Content-Disposition"] = f'attachment; filename="{stem}.rejected.csv"'
    return response


@login_required
@role_required(*STAFF)
def template_download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(
            intake_template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            intake_template_csv(_language()), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="registrants-template.{fmt}"'
    return response
