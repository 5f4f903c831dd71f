import pytest

from geography.models import Commune, District, Province, Village

pytestmark = pytest.mark.django_db

BASE = "/api/v1/geography"


def test_provinces(staff_api):
    body = staff_api.get(f"{BASE}/provinces/").json()
    assert body["count"] == Province.objects.count() == 25
    first = body["results"][0]
    assert set(first) == {"code", "name_km", "name_en"}


def test_districts_communes_and_villages_of_their_parent(staff_api):
    districts = staff_api.get(f"{BASE}/districts/", {"province": "12"}).json()
    assert districts["count"] == District.objects.filter(province__code="12").count() > 0
    assert {d["province_code"] for d in districts["results"]} == {"12"}
    district = districts["results"][0]["code"]
    communes = staff_api.get(f"{BASE}/communes/", {"district": district}).json()["results"]
    assert communes
    assert {c["district_code"] for c in communes} == {district}
    commune = communes[0]["code"]
    villages = staff_api.get(f"{BASE}/villages/", {"commune": commune}).json()
    assert villages["count"] == Village.objects.filter(commune__code=commune).count()
    village = villages["results"][0]
    assert set(village) == {
        "id",
        "code",
        "name_km",
        "name_en",
        "commune_code",
        "district_code",
        "province_code",
    }
    assert village["province_code"] == "12"


def test_village_search(staff_api):
    village = Village.objects.get(code="12010101")
    found = staff_api.get(f"{BASE}/villages/", {"q": village.name_en}).json()["results"]
    assert village.code in {v["code"] for v in found}
    by_code = staff_api.get(f"{BASE}/villages/", {"q": "120101"}).json()["results"]
    assert by_code
    assert all(v["code"].startswith("120101") for v in by_code)


def test_unknown_parents_give_empty_lists_and_missing_ones_400(staff_api):
    assert staff_api.get(f"{BASE}/districts/", {"province": "99"}).json()["count"] == 0
    response = staff_api.get(f"{BASE}/districts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"province": ["Give province=CODE."]}
    assert staff_api.get(f"{BASE}/communes/").status_code == 400
    assert staff_api.get(f"{BASE}/villages/").status_code == 400
    assert Commune.objects.exists()


def test_geography_needs_authentication(api):
    for path in ("provinces/", "districts/?province=12", "villages/?q=ab"):
        assert api.get(f"{BASE}/{path}").status_code == 401
