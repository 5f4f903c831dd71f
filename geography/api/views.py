"""The gazetteer over HTTP, for the mobile app and partner systems: read-only look-ups."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from api.base import ApiLanguageMixin, error_responses
from api.errors import field_error
from geography.api.serializers import (
    CommuneSerializer,
    DistrictSerializer,
    ProvinceSerializer,
    VillageSerializer,
)
from geography.models import Commune, District, Province, Village
from geography.selectors import (
    commune_list,
    district_list,
    province_list,
    village_list,
    village_search,
)
from khmer.text import clean_text


def _parameter(request, name: str) -> str:
    """A query parameter as text fit for a query (no NUL or other control characters,
    which PostgreSQL would refuse with a server error)."""
    return clean_text(request.query_params.get(name, ""))


def _parameter_required(name: str) -> ValidationError:
    return ValidationError({name: field_error("parameter_required", parameter=name)})


@extend_schema(tags=["geography"], responses={200: ProvinceSerializer(many=True)})
class ProvinceList(ApiLanguageMixin, generics.ListAPIView):
    """The 25 provinces and the capital, by code."""

    serializer_class = ProvinceSerializer

    def get_queryset(self):
        return province_list()


@extend_schema(
    tags=["geography"],
    parameters=[OpenApiParameter("province", str, required=True, description="Province code.")],
    responses={200: DistrictSerializer(many=True), **error_responses(400)},
)
class DistrictList(ApiLanguageMixin, generics.ListAPIView):
    """Districts (khan, srok) of a province."""

    serializer_class = DistrictSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return District.objects.none()
        code = _parameter(self.request, "province")
        if not code:
            raise _parameter_required("province")
        province = Province.objects.filter(code=code).first()
        return district_list(province_id=province.pk if province else None).select_related(
            "province"
        )


@extend_schema(
    tags=["geography"],
    parameters=[OpenApiParameter("district", str, required=True, description="District code.")],
    responses={200: CommuneSerializer(many=True), **error_responses(400)},
)
class CommuneList(ApiLanguageMixin, generics.ListAPIView):
    """Communes (sangkat, khum) of a district."""

    serializer_class = CommuneSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Commune.objects.none()
        code = _parameter(self.request, "district")
        if not code:
            raise _parameter_required("district")
        district = District.objects.filter(code=code).first()
        return commune_list(district_id=district.pk if district else None).select_related(
            "district__province"
        )


@extend_schema(
    tags=["geography"],
    parameters=[
        OpenApiParameter("commune", str, description="Commune code: its villages."),
        OpenApiParameter(
            "q", str, description="Search: code prefix, or Khmer or English name (2+ characters)."
        ),
    ],
    responses={200: VillageSerializer(many=True), **error_responses(400)},
)
class VillageList(ApiLanguageMixin, generics.ListAPIView):
    """Villages of a commune, or found by code or name (`q`, at most 100)."""

    serializer_class = VillageSerializer
    SEARCH_LIMIT = 100

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Village.objects.none()
        code = _parameter(self.request, "commune")
        query = _parameter(self.request, "q")
        if code:
            commune = Commune.objects.filter(code=code).first()
            return village_list(commune_id=commune.pk if commune else None).select_related(
                "commune__district__province"
            )
        if len(query) >= 2:
            return village_search(query=query, limit=self.SEARCH_LIMIT)
        raise ValidationError({"commune": field_error("query_or_commune_required")})
