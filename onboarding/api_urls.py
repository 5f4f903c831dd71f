"""/api/: version 1 of the REST API, its OpenAPI schema and the Swagger UI.

`/api/v1/` only ever grows (new endpoints, new optional fields); a change that could
break a client goes to `/api/v2/` beside it. Any other path under /api/ answers the
API's JSON 404, never the site's HTML page.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.errors import api_not_found
from api.schema_views import ApiSchemaView

v1 = [
    path("", include("registry.api.urls")),
    path("registrant/", include("registry.api.registrant_urls")),
    path("registrant/", include("sharing.api.registrant_urls")),
    path("registrant/", include("tracker.api.registrant_urls")),
    path("", include("geography.api.urls")),
    path("", include("partners.api.urls")),
    path("", include("sharing.api.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", ApiSchemaView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script (CSP).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    re_path(r"^", api_not_found),
]
