from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from geography.models import Commune, District, Province, Village
from khmer.text import clean_text, khmer_digits_to_ascii


def province_list() -> QuerySet[Province]:
    return Province.objects.order_by("code")


def district_list(*, province_id: int | None) -> QuerySet[District]:
    if not province_id:
        return District.objects.none()
    return District.objects.filter(province_id=province_id).order_by("code")


def commune_list(*, district_id: int | None) -> QuerySet[Commune]:
    if not district_id:
        return Commune.objects.none()
    return Commune.objects.filter(district_id=district_id).order_by("code")


def village_list(*, commune_id: int | None) -> QuerySet[Village]:
    if not commune_id:
        return Village.objects.none()
    return Village.objects.filter(commune_id=commune_id).order_by("code", "name_en")


def village_search(*, query: str, limit: int = 20) -> list[Village]:
    """Villages whose code starts with, or whose Khmer or English name contains, `query`.

    A district, commune or province name also matches, so "Siem Reap Sla Kram"-style
    searches narrow by typing the place above the village.
    """
    text = khmer_digits_to_ascii(clean_text(query or ""))
    if len(text) < 2:
        return []
    words = text.split()
    condition = Q()
    for word in words:
        condition &= (
            Q(code__startswith=word)
            | Q(name_km__icontains=word)
            | Q(name_en__icontains=word)
            | Q(commune__name_en__icontains=word)
            | Q(commune__name_km__icontains=word)
            | Q(commune__district__name_en__icontains=word)
            | Q(commune__district__name_km__icontains=word)
            | Q(commune__district__province__name_en__icontains=word)
            | Q(commune__district__province__name_km__icontains=word)
        )
    return list(
        Village.objects.filter(condition)
        .select_related("commune__district__province")
        .order_by("code", "name_en")[:limit]
    )


# The villages of a code with their commune, district and province, as
# Village.objects.filter(code=...).select_related("commune__district__province") gives
# them, in one statement written once: every registration (web, counter, API, file row)
# looks its village up, and the ORM spent more time composing that query than
# PostgreSQL spent answering it.
_CHAIN: tuple[tuple[type[Model], str], ...] = (
    (Village, "v"),
    (Commune, "c"),
    (District, "d"),
    (Province, "p"),
)


def _chain_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{quote(field.get_attname_column()[1] or '')}"
        for model, alias in _CHAIN
        for field in model._meta.concrete_fields
    )
    tables = {model: quote(model._meta.db_table) for model, _a in _CHAIN}
    return (
        f"SELECT {columns} FROM {tables[Village]} v"  # noqa: S608 - names from the models
        f" JOIN {tables[Commune]} c ON c.id = v.commune_id"
        f" JOIN {tables[District]} d ON d.id = c.district_id"
        f" JOIN {tables[Province]} p ON p.id = d.province_id"
        " WHERE v.code = %s ORDER BY v.code, v.id"
    )


def _villages_with_code(code: str) -> list[Village]:
    global _VILLAGES_SQL
    if _VILLAGES_SQL is None:
        _VILLAGES_SQL = _chain_sql()
    with connection.cursor() as cursor:
        cursor.execute(_VILLAGES_SQL, [code])
        rows = cursor.fetchall()
    villages = []
    for row in rows:
        values = iter(row)
        village = _place(Village, values)
        commune = _place(Commune, values)
        district = _place(District, values)
        province = _place(Province, values)
        # As select_related caches them: village.commune... reads no more rows.
        Village.commune.field.set_cached_value(village, commune)
        Commune.district.field.set_cached_value(commune, district)
        District.province.field.set_cached_value(district, province)
        villages.append(village)
    return villages


_PlaceT = TypeVar("_PlaceT", bound=Model)


def _place(model: type[_PlaceT], values) -> _PlaceT:
    """The next columns of `values` as an instance of `model`, as the ORM makes one."""
    fields = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(connection.alias, fields, [next(values) for _f in fields])


_VILLAGES_SQL: str | None = None


def village_resolve(
    *, village_code: str, commune_code: str = "", village_name: str = ""
) -> Village:
    """The one village an intake row means, or a ValidationError that says why not.

    The official list reuses some village codes: 18 are shared by villages of two
    communes, which the commune code tells apart; 8 are repeated inside one commune,
    which only the village's name (Khmer or English) tells apart.
    """
    code = khmer_digits_to_ascii(clean_text(village_code or ""))
    commune_code = khmer_digits_to_ascii(clean_text(commune_code or ""))
    name = clean_text(village_name or "").casefold()
    if not code:
        raise ValidationError(_("Enter the village code."), code="village_required")
    candidates = _villages_with_code(code)
    if not candidates:
        raise ValidationError(
            _("Village code %(code)s is not in the official list."),
            code="village_unknown",
            params={"code": code},
        )
    if commune_code:
        candidates = [v for v in candidates if v.commune.code == commune_code]
        if not candidates:
            raise ValidationError(
                _("Village code %(code)s is not in commune %(commune)s."),
                code="village_not_in_commune",
                params={"code": code, "commune": commune_code},
            )
    if name and len(candidates) > 1:
        named = [v for v in candidates if name in (v.name_km.casefold(), v.name_en.casefold())]
        candidates = named or candidates
    if len(candidates) == 1:
        return candidates[0]
    names = "; ".join(f"{v.name_km} / {v.name_en} ({v.commune.code})" for v in candidates)
    if commune_code or len({v.commune_id for v in candidates}) == 1:
        message = _(
            "Village code %(code)s is used by several villages of the same commune "
            "in the official list: %(names)s. Add the village_name (Khmer or English) "
            "to say which one."
        )
    else:
        message = _(
            "Village code %(code)s is used by more than one village: %(names)s. "
            "Add the commune_code to say which one."
        )
    raise ValidationError(message, code="village_ambiguous", params={"code": code, "names": names})


def area_places(*, province_ids: list[int]) -> dict[str, list[dict]]:
    """The gazetteer of some provinces, every level, for a page that works offline.

    Rows are [id, parent id, code, Khmer name, English name] (provinces have no parent),
    ordered as the picker lists them: a province holds about 1,000 villages, some
    50 KB of JSON.
    """
    columns = ("id", "code", "name_km", "name_en")

    def rows(queryset, parent: str | None) -> list:
        fields = ("id", parent, "code", "name_km", "name_en") if parent else columns
        found = queryset.values_list(*fields)
        return [list(row) if parent else [row[0], None, *row[1:]] for row in found]

    provinces = Province.objects.filter(pk__in=province_ids).order_by("code")
    districts = District.objects.filter(province_id__in=province_ids).order_by("code")
    communes = Commune.objects.filter(district__province_id__in=province_ids).order_by("code")
    villages = Village.objects.filter(commune__district__province_id__in=province_ids).order_by(
        "code", "name_en"
    )
    return {
        "provinces": rows(provinces, None),
        "districts": rows(districts, "province_id"),
        "communes": rows(communes, "district_id"),
        "villages": rows(villages, "commune_id"),
    }
