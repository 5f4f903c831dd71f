from django.urls import path, re_path

from partners.views import counter, intake, registrations

app_name = "partners"

urlpatterns = [
    path("", counter.branch_home, name="branch_home"),
    path("register/", counter.register, name="register"),
    path("registrations/", registrations.registrations, name="registrations"),
    path("applicants/<str:number>/", counter.applicant, name="applicant"),
    path("applicants/<str:number>/edit/", counter.applicant_edit, name="applicant_edit"),
    path("intake/", intake.batches, name="intake"),
    re_path(
        r"^intake/template\.(?P<fmt>csv|xlsx)$", intake.template_download, name="intake_template"
    ),
    path("intake/<int:batch_id>/", intake.batch_detail, name="intake_batch"),
    path("intake/<int:batch_id>/progress/", intake.batch_progress, name="intake_progress"),
    path("intake/<int:batch_id>/commit/", intake.batch_commit, name="intake_commit"),
    path("intake/<int:batch_id>/rejected.csv", intake.batch_rejected, name="intake_rejected"),
]
