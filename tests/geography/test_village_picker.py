import pytest
from django import forms

from geography.forms import VillageField, is_picker_refresh
from geography.models import District, Province, Village

pytestmark = pytest.mark.django_db


class AddressForm(forms.Form):
    village = VillageField()


def test_choosing_a_province_lists_its_districts(client):
    province = Province.objects.get(code="17")
    response = client.get(
        "/geo/picker/", {"field": "village", "changed": "province", "village_province": province.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    district_select = html.split('name="village_district"')[1].split("</select>")[0]
    for district in District.objects.filter(province=province):
        assert f'value="{district.pk}"' in district_select
    other = District.objects.exclude(province=province).first()
    assert f'value="{other.pk}"' not in district_select


def test_changing_the_province_clears_the_lower_levels(client):
    village = Village.objects.get(code="12010101")
    other_province = Province.objects.get(code="17")
    response = client.get(
        "/geo/picker/",
        {
            "field": "village",
            "changed": "province",
            "village_province": other_province.pk,
            "village_district": village.commune.district_id,
            "village": village.pk,
        },
    )
    html = response.content.decode()
    assert f'<option value="{village.pk}" selected' not in html


def test_picking_a_village_fills_the_whole_chain(client):
    village = Village.objects.get(code="12010101")
    response = client.get("/geo/picker/", {"field": "village", "village_pick": village.pk})
    html = response.content.decode()
    assert f'<option value="{village.commune.district.province_id}" selected' in html
    assert f'<option value="{village.commune_id}" selected' in html
    assert f'<option value="{village.pk}" selected' in html


@pytest.mark.parametrize("query", ["12010101", "Sla Kram", "ស្លក្រាម", "Siem Reap Sla Kram"])
def test_search_finds_villages_by_code_or_khmer_or_english_name(client, query):
    response = client.get("/geo/search/", {"field": "village", "village_q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="village_pick"' in html


def test_search_with_no_match_says_so(english):
    client = english
    response = client.get("/geo/search/", {"field": "village", "village_q": "zzzzqqq"})
    assert "No village matches" in response.content.decode()


def test_field_name_is_restricted_to_identifiers(client):
    response = client.get("/geo/picker/", {"field": '"><script>'})
    assert "<script>" not in response.content.decode()


def test_form_with_the_picker_validates_a_village():
    village = Village.objects.get(code="12010101")
    form = AddressForm(data={"village": str(village.pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"] == village


def test_form_with_the_picker_refuses_a_missing_or_unknown_village():
    assert not AddressForm(data={}).is_valid()
    form = AddressForm(data={"village": "999999999"})
    assert not form.is_valid()
    assert "village" in form.errors


def test_picker_keeps_partial_choices_when_the_form_is_redisplayed():
    province = Province.objects.get(code="17")
    form = AddressForm(data={"village_province": str(province.pk), "_geo_refresh": "levels"})
    assert is_picker_refresh(form.data)
    html = str(form["village"])
    assert f'<option value="{province.pk}" selected' in html
    district = District.objects.filter(province=province).first()
    assert f'value="{district.pk}"' in html
