"""The registration input serializers copy their declared fields shallowly
(api.serializers.FlatInputSerializer): each use still gets fields of its own."""

from registry.api.serializers import RegistrantCreateSerializer, RegistrantUpdateSerializer


def test_each_serializer_binds_fields_of_its_own_and_leaves_the_declared_ones_alone():
    first = RegistrantCreateSerializer(data={}, partial=True)
    second = RegistrantCreateSerializer(data={})
    assert first.fields["name_km"] is not second.fields["name_km"]
    assert first.fields["name_km"].parent is first
    assert second.fields["name_km"].parent is second
    declared = RegistrantCreateSerializer._declared_fields["name_km"]
    assert getattr(declared, "parent", None) is None


def test_the_update_serializer_makes_its_copies_optional_not_the_create_serializers():
    assert all(not field.required for field in RegistrantUpdateSerializer().fields.values())
    create = RegistrantCreateSerializer().fields
    assert create["name_km"].required
    assert create["sex"].required
    assert RegistrantCreateSerializer._declared_fields["name_km"].required


def test_input_is_checked_for_type_as_before_on_every_use():
    body = {"seasonal_months": [1, 13], "consents": "data_sharing", "name_km": ["a"]}
    for _use in range(2):
        serializer = RegistrantCreateSerializer(data=body, partial=True)
        assert not serializer.is_valid()
        assert set(serializer.errors) == {"seasonal_months", "consents", "name_km"}
        assert list(serializer.errors["seasonal_months"]) == [1]
    good = RegistrantCreateSerializer(data={"seasonal_months": [11, 12]}, partial=True)
    assert good.is_valid(), good.errors
    assert good.validated_data["seasonal_months"] == [11, 12]
    # Partial: fields not sent are skipped, defaults not applied (DRF's rule).
    assert "name_km" not in good.validated_data
