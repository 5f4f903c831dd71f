from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from onboarding.health import healthz
from registry.views import pages as registry_pages

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("dashboard/", registry_pages.dashboard, name="dashboard"),
    path("branch/", include("partners.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("verify/", include("registry.urls_public")),
    path("review/", include("registry.urls_review")),
    path("admin/", admin.site.urls),
    path("api/", include("onboarding.api_urls")),
    path("", include("registry.urls")),
]
