from typing import Any

from django import forms


class FilePicker(forms.FileInput):
    """A file input whose visible words are the page's ("Choose a file", "No file chosen",
    then the file's name), not the browser's: a Khmer page showed Chrome's English.

    The real input lies transparent over the drawn button, so a click, a tap, the
    keyboard and screen readers all reach the browser's own control; static/js/
    file-picker.js writes the chosen file's name into the status line."""

    template_name = "widgets/file_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        status_id = f"{widget_attrs.get('id') or name}_status"
        described = widget_attrs.get("aria-describedby", "")
        widget_attrs["aria-describedby"] = f"{described} {status_id}".strip()
        widget_attrs["class"] = f"{widget_attrs.get('class', '')} file-picker-input".strip()
        context["widget"]["status_id"] = status_id
        return context
