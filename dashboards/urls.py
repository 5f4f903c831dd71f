"""The aggregate views: at /dashboard/ for the ministry, /accounts/system/ for administrators."""

from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/system/", views.system, name="system"),
]
