"""The aggregate views: /dashboard/ (ministry), /dashboard/partner/ (a partner's
supervisors), /accounts/system/ (administrators)."""

from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/csv/<slug:panel>/", views.dashboard_csv, name="dashboard_csv"),
    path("dashboard/partner/", views.partner, name="partner"),
    path("accounts/system/", views.system, name="system"),
]
