import json
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from api.errors import field_error, validation_error_from_django

MAX_PAGE_SIZE = 200
# Below this many rows (as the planner estimates) a list is counted exactly: cheap.
EXACT_COUNT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    """A paginator that counts a large list from the planner's estimate instead of a
    COUNT(*) over every matching row on every page (seconds at millions of rows)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        if not hasattr(queryset, "query"):  # a list (the village search ranks in Python)
            return len(queryset)
        estimate = _planner_rows(queryset)
        if estimate is None or estimate < EXACT_COUNT_BELOW:
            return queryset.count()
        self.estimated = True
        return estimate


def _planner_rows(queryset) -> int | None:
    if not hasattr(queryset, "query"):
        return None
    compiler = queryset.order_by().query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # `.none()`, or an `__in` of nothing: no rows, no query
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class ApiPagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 200): {count, count_estimated, next, previous,
    results}. `count` is exact below 10,000 and the planner's estimate above
    (`count_estimated` true).

    What the schema says is what is accepted: `page` and `page_size` are whole numbers
    from 1 (`page_size` up to 200); anything else is a 400 naming the parameter, never
    a silent default. A page past the last one is a 404 (documented on every list).
    """

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    django_paginator_class = EstimatedCountPaginator

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

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_estimated"] = self.page.paginator.estimated
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "Whether `count` is the database planner's estimate (large lists).",
        }
        return schema

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
