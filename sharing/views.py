"""Programme pages: the rule with its live count, exports and their progress, downloads,
schedules, and crisis targeting. Every rule lives in services, selectors, eligibility."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role, RoleAssignment
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from programmes.columns import EXPORT_COLUMNS, columns_ordered
from programmes.models import EligibilityRule, Programme
from sharing import schedules, services
from sharing.eligibility import eligibility_count, missing_areas
from sharing.forms import (
    ExportRequestForm,
    ProgrammeSettingsForm,
    RuleForm,
    ScheduleForm,
    TargetingForm,
)
from sharing.models import ExportJob, ExportSchedule
from sharing.selectors import export_jobs_visible_to, programmes_managed_by
from sharing.targeting import targeting_breakdown, targeting_count
from sharing.tokens import programme_token_rotate

MANAGERS = (Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR)


def _programme(request: AuthenticatedHttpRequest, code: str) -> Programme:
    """A programme the user manages; another one answers 404 (its existence is not told)."""
    return get_object_or_404(programmes_managed_by(user=request.user), code=code)


def _is_admin(request: AuthenticatedHttpRequest) -> bool:
    return (
        request.user.is_superuser
        or RoleAssignment.objects.filter(user=request.user, role=Role.ADMINISTRATOR).exists()
    )


@login_required
@role_required(*MANAGERS)
def programme_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    rule = EligibilityRule.objects.filter(programme=programme).first()
    criteria = rule.criteria() if rule else None
    jobs = Paginator(
        export_jobs_visible_to(user=request.user).filter(programme=programme), 20
    ).get_page(request.GET.get("page"))
    officers = RoleAssignment.objects.filter(
        role=Role.PROGRAMME_OFFICER, programme=programme
    ).select_related("user")
    context = {
        "programme": programme,
        "rule": rule,
        "count": eligibility_count(criteria=criteria, programme=programme) if criteria else None,
        "columns": [(c, EXPORT_COLUMNS[c]) for c in columns_ordered(programme.columns)],
        "officers": officers,
        "jobs": jobs,
        "export_form": ExportRequestForm(),
        "schedules": programme.export_schedules.all(),
        "schedule_form": ScheduleForm(),
        "settings_form": ProgrammeSettingsForm(instance=programme) if _is_admin(request) else None,
        "missing": missing_areas(rule.area_codes) if rule else [],
        "token": programme.api_tokens.filter(user=request.user).first(),
    }
    return render(request, "sharing/programme.html", context)


@login_required
@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    rule = EligibilityRule.objects.filter(programme=programme).first() or EligibilityRule(
        programme=programme
    )
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.updated_by = request.user
        rule.save()
        messages.success(request, _("The eligibility rule is saved."))
        return redirect("sharing:programme", code=programme.code)
    count = None
    if not form.is_bound or form.is_valid():
        count = eligibility_count(criteria=form.instance.criteria(), programme=programme)
    context = {"programme": programme, "form": form, "count": count}
    return render(request, "sharing/rule_edit.html", context)


@login_required
@role_required(*MANAGERS)
@require_POST
def rule_count(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The live count while a rule is edited (htmx): eligible and consenting, and how
    many more are eligible without consent. Nothing is saved."""
    programme = _programme(request, code)
    rule = EligibilityRule.objects.filter(programme=programme).first() or EligibilityRule(
        programme=programme
    )
    form = RuleForm(request.POST, instance=rule)
    count = None
    if form.is_valid():
        count = eligibility_count(criteria=form.instance.criteria(), programme=programme)
    return render(request, "sharing/count.html", {"form": form, "count": count})


@login_required
@role_required(Role.ADMINISTRATOR)
@require_POST
def programme_settings(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    form = ProgrammeSettingsForm(request.POST, instance=programme)
    if form.is_valid():
        form.save()
        messages.success(request, _("The programme's settings are saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("sharing:programme", code=programme.code)


@login_required
@role_required(*MANAGERS)
@require_POST
def export_ask(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to export and the format."))
        return redirect("sharing:programme", code=programme.code)
    try:
        job = services.export_request(
            programme=programme,
            user=request.user,
            kind=form.cleaned_data["kind"],
            file_format=form.cleaned_data["file_format"],
            since=form.cleaned_data["since"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sharing:programme", code=programme.code)
    return redirect("sharing:export", pk=job.pk)


def _job(request: AuthenticatedHttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("programme"), pk=pk)
    if not export_jobs_visible_to(user=request.user).filter(pk=job.pk).exists():
        raise PermissionDenied
    return job


def _job_context(job: ExportJob) -> dict:
    if job.status == ExportJob.Status.DONE and job.file_name:
        # A finished job whose file vanished is shown as failed, never as a broken link.
        from sharing.exports.runner import exports_root

        if not (exports_root() / job.file_name).is_file():
            services._fail(job, "file_missing")
    running = job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    written = services.export_progress(job=job)
    percent = (
        100
        if job.status == ExportJob.Status.DONE
        else (min(99, written * 100 // job.rows_expected) if job.rows_expected else 0)
    )
    return {
        "job": job,
        "running": running,
        "written": written,
        "percent": percent,
        "failure": services.FAILURES.get(job.error, "") if job.error else "",
        "downloads": job.downloads.select_related("user")[:20],
    }


@login_required
@role_required(*MANAGERS)
def export_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "sharing/export.html", _job_context(job))


@login_required
@role_required(*MANAGERS)
def export_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "sharing/export_status.html", _job_context(job))


@login_required
@role_required(*MANAGERS)
def export_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    job = _job(request, pk)
    try:
        path = services.export_download(job=job, user=request.user, channel="web")
    except services.FileMissingError:
        messages.error(request, str(services.FAILURES["file_missing"]))
        return redirect("sharing:export", pk=job.pk)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=job.download_name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@role_required(*MANAGERS)
@require_POST
def schedule_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    form = ScheduleForm(request.POST, instance=ExportSchedule(programme=programme))
    if form.is_valid():
        schedule = form.save(commit=False)
        schedule.created_by = request.user
        schedules.schedule_save(schedule=schedule)
        messages.success(request, _("The schedule is saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("sharing:programme", code=programme.code)


@login_required
@role_required(*MANAGERS)
@require_POST
def schedule_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(
        ExportSchedule.objects.filter(programme__in=programmes_managed_by(user=request.user)),
        pk=pk,
    )
    code = schedule.programme.code
    schedules.schedule_delete(schedule=schedule)
    messages.success(request, _("The schedule is removed."))
    return redirect("sharing:programme", code=code)


@login_required
@role_required(Role.MINISTRY_OFFICER, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def targeting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Crisis targeting: affected areas and kinds of work -> the count at once, by
    commune, and a list sent to a response programme as an export (consenting people
    only; those who did not consent are counted, never listed)."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = TargetingForm(data)
    context: dict = {"form": form}
    if data is not None and form.is_valid():
        criteria = form.criteria()
        programme = form.cleaned_data.get("programme")
        context["count"] = targeting_count(criteria=criteria, programme=programme)
        context["breakdown"] = targeting_breakdown(criteria=criteria, programme=programme)
        if request.method == "POST" and request.POST.get("send"):
            if programme is None:
                form.add_error("programme", _("Choose the programme that receives the list."))
            else:
                try:
                    job = services.export_request(
                        programme=programme,
                        user=request.user,
                        kind=ExportJob.Kind.TARGETING,
                        criteria=criteria,
                    )
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    messages.success(
                        request,
                        _(
                            "The list is being prepared for %(programme)s; its officers will find it on the programme's page."
                        )
                        % {"programme": programme.name},
                    )
                    context["sent"] = job
    if request.headers.get("HX-Request"):
        return render(request, "sharing/targeting_result.html", context)
    return render(request, "sharing/targeting.html", context)


@login_required
@role_required(*MANAGERS)
@require_POST
def token_rotate(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A new API key for the programme's own system, shown once; the previous key this
    officer made for it stops working at once."""
    programme = _programme(request, code)
    key = programme_token_rotate(programme=programme, user=request.user)
    response = render(request, "sharing/token.html", {"programme": programme, "key": key})
    response["Cache-Control"] = "no-store"
    return response
