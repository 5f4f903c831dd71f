from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import include, path, re_path

from accounts import views as account_views
from onboarding.health import healthz

# Admin pages of models that moved out of `registry` (see the README's architecture):
# bookmarks of the old addresses keep working.
MOVED_ADMIN_MODELS = {
    **dict.fromkeys(["province", "district", "commune", "village"], "geography"),
    "programme": "programmes",
    **dict.fromkeys(["personkeys", "duplicatecase", "merge", "personalias", "deduprun"], "dedup"),
}


def moved_admin_page(request: HttpRequest, model: str, rest: str) -> HttpResponsePermanentRedirect:
    query = request.META.get("QUERY_STRING", "")
    target = f"/admin/{MOVED_ADMIN_MODELS[model]}/{model}/{rest}"
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("dashboards.urls")),
    path("branch/", include("partners.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("campaigns/", include("outreach.urls")),
    path("programmes/", include("programmes.urls")),
    path("programmes/", include("sharing.urls")),
    path("verify/", include("registry.urls_public")),
    path("review/", include("dedup.urls")),
    path("geo/", include("geography.urls")),
    path("", include("shell.urls")),
    re_path(
        r"^admin/registry/(?P<model>{})/(?P<rest>.*)$".format("|".join(MOVED_ADMIN_MODELS)),
        moved_admin_page,
    ),
    path("admin/", admin.site.urls),
    path("api/", include("onboarding.api_urls")),
    path("me/", include("sharing.urls_me")),
    path("me/", include("tracker.urls_me")),
    path("", include("registry.urls")),
]
