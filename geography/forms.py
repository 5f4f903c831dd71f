from django import forms
from django.utils.translation import gettext_lazy as _

from geography.areas import Area
from geography.models import Commune, District, Province, Village
from geography.selectors import (
    commune_list,
    district_list,
    province_list,
    village_list,
    village_search,
)

PICKER_REFRESH = "_geo_refresh"


def _as_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def picker_state(*, name: str, data) -> dict:
    """The picker's selections as submitted: ids of each level, the search text."""
    picked = _as_id(data.get(f"{name}_pick"))
    return {
        "village": picked or _as_id(data.get(name)),
        "commune": _as_id(data.get(f"{name}_commune")),
        "district": _as_id(data.get(f"{name}_district")),
        "province": _as_id(data.get(f"{name}_province")),
        "query": (data.get(f"{name}_q") or "").strip(),
    }


def picker_context(*, name: str, state: dict, search: bool = False, kind: str = "village") -> dict:
    """Everything the picker template needs to show the cascade at `state`.

    `kind` "area" lets the choice stop at any level (AreaField); "village" needs a village.
    """
    village = None
    if state.get("village"):
        village = (
            Village.objects.select_related("commune__district__province")
            .filter(pk=state["village"])
            .first()
        )
    if village is not None:
        commune = village.commune
        chosen: dict[str, int | None] = {
            "village": village.pk,
            "commune": commune.pk,
            "district": commune.district_id,
            "province": commune.district.province_id,
        }
    else:
        chosen = {"village": None, **{k: state.get(k) for k in ("commune", "district", "province")}}
    return {
        "name": name,
        "chosen": chosen,
        "village": village,
        "provinces": province_list(),
        "districts": district_list(province_id=chosen["province"]),
        "communes": commune_list(district_id=chosen["district"]),
        "villages": village_list(commune_id=chosen["commune"]),
        "query": state.get("query", ""),
        "results": village_search(query=state["query"]) if search and state.get("query") else [],
        "kind": "area" if kind == "area" else "village",
        "area": _area_of(chosen) if kind == "area" else None,
    }


def _area_of(chosen: dict) -> Area:
    """The Area at the deepest level chosen (ids that do not fit together are dropped)."""
    chosen = {level: _as_id(value) or 0 for level, value in chosen.items()}
    province = Province.objects.filter(pk=chosen.get("province", 0)).first()
    district = (
        District.objects.filter(pk=chosen.get("district", 0), province=province).first()
        if province
        else None
    )
    commune = (
        Commune.objects.filter(pk=chosen.get("commune", 0), district=district).first()
        if district
        else None
    )
    village = (
        Village.objects.filter(pk=chosen.get("village", 0), commune=commune).first()
        if commune
        else None
    )
    return Area(province=province, district=district, commune=commune, village=village)


class VillagePicker(forms.Widget):
    """Province → district → commune → village, searchable by name or code.

    With htmx each choice re-renders the picker from the server; without JavaScript a
    "Show places" button submits the form with PICKER_REFRESH and the view re-renders
    it (see `is_picker_refresh`).
    """

    template_name = "geography/widgets/village_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self._state: dict = {}

    def value_from_datadict(self, data, files, name):
        self._state = picker_state(name=name, data=data)
        self._search = PICKER_REFRESH in data or f"{name}_pick" in data
        return self._state["village"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        state = dict(self._state) or {}
        state["village"] = _as_id(value) or state.get("village")
        context["picker"] = picker_context(
            name=name, state=state, search=getattr(self, "_search", False)
        )
        return context


class VillageField(forms.ModelChoiceField):
    widget = VillagePicker
    default_error_messages = {
        "required": _("Choose the village: province, district, commune, then village."),
        "invalid_choice": _("That village is not in the official list. Choose it again."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Village"))
        super().__init__(queryset=Village.objects.all(), **kwargs)


class AreaPicker(VillagePicker):
    """The village picker, stopping at whichever level is chosen (none: nationwide)."""

    def value_from_datadict(self, data, files, name):
        super().value_from_datadict(data, files, name)
        return dict(self._state)

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        state = dict(value) if isinstance(value, dict) else dict(self._state)
        context["picker"] = picker_context(
            name=name, state=state, search=getattr(self, "_search", False), kind="area"
        )
        return context


class AreaField(forms.Field):
    """An area at any level: nationwide, province, district, commune or village."""

    widget = AreaPicker

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Area"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Area):
            return {
                level: getattr(value, level).pk if getattr(value, level) is not None else None
                for level in ("province", "district", "commune", "village")
            }
        return value

    def to_python(self, value) -> Area:
        if isinstance(value, Area):
            return value
        return _area_of(value or {})

    def validate(self, value) -> None:
        """Any level is valid, nationwide included; who may plan where is the service's rule."""


def picker_keep(form, name: str, data) -> None:
    """Show an unbound form's picker at the submitted, possibly partial, selection."""
    widget = form.fields[name].widget
    widget._state = picker_state(name=name, data=data)
    widget._search = True


def is_picker_refresh(data) -> bool:
    """True when a no-JavaScript picker button submitted the form only to update the picker."""
    return PICKER_REFRESH in data or any(key.endswith("_pick") for key in data)
