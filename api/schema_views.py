"""The OpenAPI document's view (apart from schema.py, which DRF imports at start-up)."""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView


class ApiSchemaView(SpectacularAPIView):
    """The OpenAPI document: in English for developers, `?lang=km` for Khmer labels."""

    def dispatch(self, request, *args, **kwargs):
        language = request.GET.get("lang") if request.GET.get("lang") in ("km", "en") else "en"
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            if not getattr(response, "is_rendered", True):
                response.render()
        return response
