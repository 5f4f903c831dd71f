from django.urls import path, re_path

from partners.views import counter, intake, offline, registrations

app_name = "partners"

urlpatterns = [
    path("", counter.branch_home, name="branch_home"),
    path("register/", counter.register, name="register"),
    path("register/sync/", offline.counter_sync, name="register_sync"),
    path("sw.js", offline.service_worker, name="offline_worker"),
    path("manifest.webmanifest", offline.manifest, name="offline_manifest"),
    path("offline/session.json", offline.session, name="offline_session"),
    path("offline/rules.json", offline.rules, name="offline_rules"),
    path("offline/places.json", offline.places, name="offline_places"),
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
