"""Shapes of the gazetteer API: codes and names, never anything personal."""

from rest_framework import serializers


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_km = serializers.CharField()
    name_en = serializers.CharField()


class ProvinceSerializer(PlaceSerializer):
    pass


class DistrictSerializer(PlaceSerializer):
    province_code = serializers.CharField(source="province.code")


class CommuneSerializer(PlaceSerializer):
    district_code = serializers.CharField(source="district.code")
    province_code = serializers.CharField(source="district.province.code")


class VillageSerializer(PlaceSerializer):
    id = serializers.IntegerField(
        help_text="Identifies the village even where the official list repeats a code; "
        "may be sent as `village` when registering."
    )
    commune_code = serializers.CharField(source="commune.code")
    district_code = serializers.CharField(source="commune.district.code")
    province_code = serializers.CharField(source="commune.district.province.code")
