"""The programmes a registrant may join, for the mobile app: /api/v1/registrant/records/
<number>/programmes/. The same evaluation as /me/<number>/programmes/
(`sharing.registrant.programmes_for_person`); consenting to one goes through the
registrant API's consents (`…/consents/<programme code>/`), as on /me/."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.base import error_responses
from registry.api.registrant_signin import TAG, SignedInView
from registry.api.registrant_views import own_record
from sharing.registrant import programmes_for_person


class SharedValueSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The column's name, in the asked language.")
    value = serializers.CharField(help_text="This person's value, as the programme gets it.")


class ProgrammeForPersonSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_km = serializers.CharField()
    name_en = serializers.CharField()
    description_km = serializers.CharField()
    description_en = serializers.CharField()
    eligible = serializers.BooleanField(help_text="Whether the person meets its rule today.")
    consented = serializers.BooleanField(help_text="Whether the person's consent is in force.")
    shared = SharedValueSerializer(many=True, help_text="What the programme would receive.")


@extend_schema(tags=[TAG])
class RecordProgrammes(SignedInView):
    @extend_schema(
        summary="The programmes one's record may join, and what each would receive",
        description="Every active programme, those the person may be eligible for first; "
        "give or withdraw consent with `…/consents/<code>/`.",
        responses={200: ProgrammeForPersonSerializer(many=True), **error_responses(401, 404, 429)},
    )
    def get(self, request, number):
        person = own_record(request, number)
        return Response(
            [
                {
                    "code": item.programme.code,
                    "name_km": item.programme.name_km,
                    "name_en": item.programme.name_en,
                    "description_km": item.programme.description_km,
                    "description_en": item.programme.description_en,
                    "eligible": item.eligible,
                    "consented": item.consented,
                    "shared": [{"name": name, "value": value} for name, value in item.shared],
                }
                for item in programmes_for_person(person=person)
            ]
        )
