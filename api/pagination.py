from django.core.exceptions import ValidationError
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from api.errors import field_error, validation_error_from_django

MAX_PAGE_SIZE = 200


class ApiPagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 200): {count, next, previous, results}.

    What the schema says is what is accepted: `page` and `page_size` are whole numbers
    from 1 (`page_size` up to 200); anything else is a 400 naming the parameter, never
    a silent default. A page past the last one is a 404 (documented on every list).
    """

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        value = _whole_number(raw)
        if value is None or not 1 <= value <= MAX_PAGE_SIZE:
            raise _invalid("page_size", "page_size_invalid")
        return value

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (_whole_number(raw) or 0) < 1:
            raise _invalid("page", "page_invalid")
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter["schema"]
            schema["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                schema["maximum"] = MAX_PAGE_SIZE
        return parameters


def _whole_number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _invalid(parameter: str, code: str) -> exceptions.ValidationError:
    return validation_error_from_django(ValidationError({parameter: [field_error(code)]}))
