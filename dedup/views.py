"""/review/duplicates/: ministry officers decide the pairs the engine was unsure of."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from audit.models import ReadKind
from audit.web import request_reads_record
from dedup.models import DedupRun, DuplicateCase, Merge
from dedup.selectors import dedup_batch_running
from dedup.services.review import (
    dedup_batch_start,
    duplicate_case_decide,
    duplicate_cases_decide,
    merge_undo_by_reviewer,
)

REVIEWERS = (Role.MINISTRY_OFFICER, Role.ADMINISTRATOR)
COMPARED = [
    ("registration_number", gettext_lazy("Registration number")),
    ("name_km", gettext_lazy("Name in Khmer script")),
    ("name_latin", gettext_lazy("Name in Latin letters")),
    ("sex", gettext_lazy("Sex")),
    ("date_of_birth", gettext_lazy("Date of birth")),
    ("national_id", gettext_lazy("National ID card number")),
    ("phone", gettext_lazy("Phone")),
    ("village", gettext_lazy("Village")),
    ("actor_type", gettext_lazy("Work")),
    ("sector", gettext_lazy("Sector")),
    ("channel", gettext_lazy("Channel")),
    ("branch", gettext_lazy("Branch")),
    ("reference", gettext_lazy("Form number")),
    ("created_at", gettext_lazy("Registered")),
    ("status", gettext_lazy("Status")),
]


def _display(person, field: str) -> str:
    if field == "village":
        v = person.village
        return f"{v.name}, {v.commune.name}, {v.commune.district.name}, {v.commune.district.province.name}"
    if field == "date_of_birth":
        return person.date_of_birth.strftime("%d/%m/%Y")
    if field == "created_at":
        return person.created_at.strftime("%d/%m/%Y")
    if field in ("sex", "actor_type", "sector", "channel", "status"):
        return str(getattr(person, f"get_{field}_display")())
    value = getattr(person, field)
    return "" if value is None else str(value)


def _cases():
    return DuplicateCase.objects.select_related(
        "person_a__village__commune__district__province",
        "person_b__village__commune__district__province",
    )


@login_required
@role_required(*REVIEWERS)
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    decision = request.GET.get("decision", DuplicateCase.Decision.OPEN)
    if decision not in DuplicateCase.Decision.values:
        decision = DuplicateCase.Decision.OPEN
    cases = _cases().filter(decision=decision).order_by("-score", "id")
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    counts = {
        value: DuplicateCase.objects.filter(decision=value).count()
        for value in DuplicateCase.Decision.values
    }
    context = {
        "page": page,
        "decision": decision,
        "decisions": DuplicateCase.Decision.choices,
        "counts": counts,
    }
    return render(request, "dedup/review/queue.html", context)


@login_required
@role_required(*REVIEWERS)
def case_detail(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(_cases(), pk=case_id)
    if request.method == "POST":
        choice = request.POST.get("decision")
        if choice in ("same", "different"):
            try:
                duplicate_case_decide(
                    case=case,
                    same_person=choice == "same",
                    actor=request.user,
                    survivor_side="b" if request.POST.get("survivor") == "b" else "a",
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Decision saved."))
                next_case = (
                    _cases()
                    .filter(decision=DuplicateCase.Decision.OPEN)
                    .order_by("-score", "id")
                    .first()
                )
                if next_case:
                    return redirect("review:case", case_id=next_case.pk)
                return redirect("review:queue")
        return redirect("review:case", case_id=case.pk)
    request_reads_record(
        request, person_ids=[case.person_a_id, case.person_b_id], kind=ReadKind.REVIEW_CASE
    )
    rows = []
    for field, label in COMPARED:
        a, b = _display(case.person_a, field), _display(case.person_b, field)
        rows.append(
            {
                "label": label,
                "a": a,
                "b": b,
                "differs": a != b and field not in ("registration_number", "created_at"),
                # Names written in Khmer stay marked as Khmer on English pages.
                "lang": "km" if field == "name_km" else "",
            }
        )
    merges = Merge.objects.filter(case=case).order_by("-merged_at")
    return render(request, "dedup/review/case.html", {"case": case, "rows": rows, "merges": merges})


@login_required
@role_required(*REVIEWERS)
@require_POST
def bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
    choice = request.POST.get("decision")
    if not ids or choice not in ("same", "different"):
        messages.error(request, _("Tick at least one pair and choose a decision."))
        return redirect("review:queue")
    outcome = duplicate_cases_decide(case_ids=ids, same_person=choice == "same", actor=request.user)
    messages.success(
        request,
        _("%(decided)s pairs decided, %(refused)s refused.") % outcome,
    )
    return redirect("review:queue")


@login_required
@role_required(*REVIEWERS)
@require_POST
def undo_merge(request: AuthenticatedHttpRequest, merge_id: int) -> HttpResponse:
    merge = get_object_or_404(Merge, pk=merge_id)
    try:
        merge_undo_by_reviewer(merge_id=merge.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The merge is undone; both records are back as they were."))
    if merge.case_id:
        return redirect("review:case", case_id=merge.case_id)
    return redirect("review:queue")


def _run_context(run: DedupRun | None) -> dict:
    running = dedup_batch_running()
    return {
        "run": run,
        # A run marked running that holds no lock was stopped (worker restarted, crash):
        # starting again resumes it after its last committed chunk.
        "running": running,
        "stopped": run is not None and run.status == DedupRun.Status.RUNNING and not running,
    }


@login_required
@role_required(*REVIEWERS)
def runs(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            dedup_batch_start(actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The whole-registry check is queued; this page shows its progress."),
            )
        return redirect("review:runs")
    history = DedupRun.objects.select_related("started_by").order_by("-pk")
    page = Paginator(history, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "dedup/review/runs.html",
        {"page": page, **_run_context(history.first())},
    )


@login_required
@role_required(*REVIEWERS)
def run_progress(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(DedupRun.objects.select_related("started_by"), pk=run_id)
    return render(request, "dedup/review/run_progress.html", _run_context(run))
