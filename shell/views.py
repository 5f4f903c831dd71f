from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from shell.official import EMBLEM_TYPES, contact, emblem_path, ministry_name
from shell.selectors import programmes_offered, role_access


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "shell/help.html", {"contact": contact()})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "shell/privacy.html",
        {
            "contact": contact(),
            "roles": role_access(),
            "programmes": programmes_offered(),
            "controller": ministry_name(),
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "shell/accessibility.html", {"contact": contact()})


@cache_control(public=True, max_age=24 * 60 * 60)
def emblem(request: HttpRequest) -> FileResponse:
    """The emblem file the deployment configured (EMBLEM_FILE); the default seal is a
    static file and never comes here."""
    path = emblem_path()
    content_type = EMBLEM_TYPES.get(path.suffix.lower()) if path else None
    if path is None or content_type is None or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=content_type)
    # An SVG opened on its own is a document: it may draw, never run script or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
