import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape

from geography.forms import picker_context, picker_state

FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,40}")


def _field_name(request: HttpRequest) -> str:
    name = request.GET.get("field", "village")
    # The name becomes element ids and form keys: keep it to identifier characters.
    return name if FIELD_NAME.fullmatch(name) else "village"


def picker(request: HttpRequest) -> HttpResponse:
    """The picker re-rendered at the submitted selection (htmx swaps it in place)."""
    name = _field_name(request)
    state = picker_state(name=name, data=request.GET)
    # Choosing a higher level clears the levels below it.
    changed = request.GET.get("changed")
    order = ["province", "district", "commune", "village"]
    if changed in order:
        for level in order[order.index(changed) + 1 :]:
            state[level] = None
    kind = request.GET.get("kind", "village")
    context = {
        "picker": picker_context(name=name, state=state, kind=kind),
        "widget": {"name": escape(name)},
    }
    return render(request, "geography/widgets/village_picker.html", context)


def search(request: HttpRequest) -> HttpResponse:
    name = _field_name(request)
    state = picker_state(name=name, data=request.GET)
    kind = request.GET.get("kind", "village")
    context = {"picker": picker_context(name=name, state=state, search=True, kind=kind)}
    return render(request, "geography/widgets/village_search_results.html", context)
