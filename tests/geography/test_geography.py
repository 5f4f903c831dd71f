import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from geography.models import Commune, District, Province, Village
from geography.selectors import village_resolve
from geography.services import geography_load

pytestmark = pytest.mark.django_db


def test_every_source_row_is_loaded():
    assert Province.objects.count() == 25
    assert District.objects.count() == 210
    # 1,661 communes in the list, plus the one only the village list knows.
    assert Commune.objects.count() == 1662
    assert Village.objects.count() == 14576


def test_commune_missing_from_the_list_is_created_and_marked():
    commune = Commune.objects.get(code="120913")
    assert commune.in_source is False
    assert commune.district.code == "1209"
    assert commune.villages.count() == 13
    assert Commune.objects.filter(in_source=False).count() == 1


def test_second_load_changes_nothing():
    before = list(Village.objects.order_by("pk").values_list("pk", "code", "name_en"))
    report = geography_load()
    assert not report.changed
    assert report.levels["village"].unchanged == 14576
    assert list(Village.objects.order_by("pk").values_list("pk", "code", "name_en")) == before


def test_report_names_each_defect():
    report = geography_load()
    assert report.missing_communes == {"120913": 13}
    assert len(report.shared_across_communes) == 18
    assert sorted(report.shared_across_communes["02140401"]) == ["021404", "021405"]
    assert len(report.repeated_in_commune) == 8
    assert report.malformed_codes == {"village": ["0506140-"] * 9}
    text = "\n".join(report.lines())
    assert "commune 120913 is missing" in text
    assert "02140401: communes 021404, 021405" in text


def test_load_geography_command_prints_report(capsys):
    call_command("load_geography")
    out = capsys.readouterr().out
    assert "village    14576 rows: 0 created, 0 updated, 14576 unchanged" in out
    assert "nothing changed" in out


def test_a_unique_village_code_resolves():
    village = village_resolve(village_code="12010101")
    assert village.commune.code == "120101"


def test_khmer_digits_in_a_village_code_resolve():
    assert village_resolve(village_code="១២០១០១០១").code == "12010101"


def test_an_ambiguous_code_is_refused_naming_both_villages():
    with pytest.raises(ValidationError) as caught:
        village_resolve(village_code="02140401")
    error = caught.value.error_list[0]
    assert error.code == "village_ambiguous"
    message = error.message % error.params
    assert "021404" in message and "021405" in message
    assert "commune_code" in message


def test_commune_code_resolves_an_ambiguous_village():
    first = village_resolve(village_code="02140401", commune_code="021404")
    second = village_resolve(village_code="02140401", commune_code="021405")
    assert first.pk != second.pk
    assert first.commune.code == "021404"
    assert second.commune.code == "021405"


def test_commune_code_that_does_not_hold_the_village_is_refused():
    with pytest.raises(ValidationError) as caught:
        village_resolve(village_code="12010101", commune_code="021404")
    assert caught.value.error_list[0].code == "village_not_in_commune"


def test_a_code_repeated_inside_one_commune_is_refused_even_with_its_commune():
    with pytest.raises(ValidationError) as caught:
        village_resolve(village_code="08120101", commune_code="081201")
    error = caught.value.error_list[0]
    assert error.code == "village_ambiguous"
    assert "Kbal Kaoh" in error.message % error.params


def test_unknown_village_code_is_refused():
    with pytest.raises(ValidationError) as caught:
        village_resolve(village_code="99999999")
    assert caught.value.error_list[0].code == "village_unknown"


def test_village_name_resolves_a_code_repeated_inside_one_commune():
    village = village_resolve(
        village_code="08120101", commune_code="081201", village_name="kbal kaoh"
    )
    assert village.name_en == "Kbal Kaoh"
    assert village_resolve(village_code="08120101", village_name="ថ្មី").name_en == "Thmei"
