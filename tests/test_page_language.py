"""What people read is in their language and never an internal code (issue 16).

Every page each role, a visitor and a registrant can reach (tests/pages.py) is read in
English and in Khmer, as it is and with each of its forms sent back empty (so the forms'
errors are read too):
- an English page has no Khmer script outside elements marked lang="km" (names people
  wrote in Khmer are marked so, for screen readers too);
- no page shows a choice's internal code (`self_employed`, "(branch)", "F or M"): codes
  are enumerated from every model's choices, so a choice added later is covered.
The catalogue test: every string the code and templates mark for translation has a
Khmer translation, none fuzzy.
"""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from tests.pages import VISITORS, crawl, registry_in_use, sign_in

pytestmark = pytest.mark.django_db

KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]+")
FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.IGNORECASE)
ACTION = re.compile(r'action="([^"]*)"')
# Forms that change the session or the record when sent (sign-out, language, leaving,
# committing a file, a new API key) are not sent back empty.
NOT_SENT = ("/logout/", "/language/", "/sign-out/", "/leave/", "/commit/", "/api-token/")
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-empty")
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Reader(HTMLParser):
    """What a person reads on a page (text and the attributes read aloud), telling apart
    what lies inside an element marked lang="km"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, bool]] = []  # (text, inside lang="km")
        self._khmer: list[list] = []  # [tag, depth] of each open lang="km" element
        self._skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        for marked in self._khmer:
            if marked[0] == tag and tag not in VOID:
                marked[1] += 1
        if attributes.get("lang") == "km" and tag not in VOID:
            self._khmer.append([tag, 1])
        inside = bool(self._khmer) or attributes.get("lang") == "km"
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append((attributes[name], inside))
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.texts.append((attributes.get("value") or "", inside))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        for marked in list(self._khmer):
            if marked[0] == tag:
                marked[1] -= 1
                if marked[1] == 0:
                    self._khmer.remove(marked)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append((data, bool(self._khmer)))


def read(html: str) -> list[tuple[str, bool]]:
    reader = Reader()
    reader.feed(html)
    return reader.texts


def choice_codes() -> dict[str, set[str]]:
    """{field: its choices' codes} for every model field with choices."""
    fields: dict[str, set[str]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "choices", None):
                # Text codes only: a number in brackets is a count, not a code.
                codes = {v for v, _ in field.flatchoices if isinstance(v, str) and v.strip()}
                if not codes:
                    continue
                key = f"{model._meta.label}.{field.name}"
                fields[key] = codes
    return fields


def code_patterns() -> list[tuple[re.Pattern, str]]:
    """Patterns of a code shown to a person: any snake_case code on its own; any code in
    brackets, "(branch)"; two codes of one field listed together, "F or M"."""
    word = r"(?<![\w./@-]){}(?![\w./@-])"
    patterns = []
    for field, codes in choice_codes().items():
        for code in codes:
            if "_" in code:
                patterns.append((re.compile(word.format(re.escape(code))), f"{field} {code}"))
            patterns.append((re.compile(rf"\({re.escape(code)}\)"), f"{field} ({code})"))
        listed = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
        if len(codes) > 1:
            together = (
                word.format(f"(?:{listed})") + r"(?:,| or| និង| ឬ)\s*" + word.format(f"(?:{listed})")
            )
            patterns.append((re.compile(together), f"{field} codes listed"))
    return patterns


def pages_with_their_form_errors(client: Client, start: str) -> dict[str, str]:
    """{what: html} of every page reached from `start`, and of each of its forms sent back
    empty (the page the form answers with, its errors included)."""
    seen = {}
    for path, page in crawl(client, start).items():
        if not page.html:
            continue
        seen[path] = page.html
        for form in FORM.findall(page.html):
            action = ACTION.search(form)
            target = action.group(1).replace("&amp;", "&") if action and action.group(1) else path
            if any(part in target for part in NOT_SENT) or target.startswith("/api/"):
                continue
            response = client.post(target, {}, follow=True)
            assert response.status_code < 500, f"{target} sent empty: {response.status_code}"
            if "text/html" in response.get("Content-Type", ""):
                seen[f"{target} (sent empty)"] = response.content.decode()
    return seen


@pytest.fixture
def in_use(geography):
    registry_in_use()


@pytest.mark.parametrize("visitor", VISITORS)
def test_english_pages_have_no_khmer_and_no_page_shows_a_code(in_use, visitor):
    patterns = code_patterns()
    for language in ("en", "km"):
        client = Client()
        client.cookies["django_language"] = language
        start = sign_in(client, visitor)
        pages = pages_with_their_form_errors(client, start)
        assert len(pages) >= 2
        khmer_left, codes_shown = {}, {}
        for what, html in pages.items():
            texts = read(html)
            if language == "en":
                found = {m for text, marked in texts if not marked for m in KHMER.findall(text)}
                if found:
                    khmer_left[what] = sorted(found)
            shown = {
                name for text, _ in texts for pattern, name in patterns if pattern.search(text)
            }
            if shown:
                codes_shown[what] = sorted(shown)
        assert khmer_left == {}, f"Khmer left on English pages: {khmer_left}"
        assert codes_shown == {}, f"internal codes shown ({language}): {codes_shown}"


def test_the_reader_tells_marked_khmer_from_khmer_left_in_english():
    texts = read(
        '<p>Name <span lang="km">សុខ <b>ដារ៉ា</b></span> ok</p><p title="ភូមិ">left</p>'
        "<script>var x = 'ខ្មែរ';</script><img alt=\"រូប\">"
    )
    left = {m for text, marked in texts if not marked for m in KHMER.findall(text)}
    assert left == {"ភូមិ", "រូប"}


def test_the_code_patterns_catch_what_issue_16_found():
    patterns = code_patterns()

    def caught(text):
        return any(pattern.search(text) for pattern, _ in patterns)

    assert caught("Choose one of self_employed, microenterprise_owner")
    assert caught("accommodation_food")
    assert caught("choose F or M")
    assert caught("Registered (branch)")
    assert not caught("Branch staff registered this person at the branch.")
    assert not caught("Self-employed · Accommodation and food")


def test_every_string_marked_for_translation_has_a_khmer_translation(tmp_path):
    """makemessages, run on a scratch copy of the sources, finds no string without a
    Khmer translation and none fuzzy (a catalogue entry kept from an older wording)."""
    source = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns(
            ".*",
            "node_modules",
            "var",
            "static",
            "staticfiles",
            "bench",
            "tests",
            "docs",
            "__pycache__",
            "*.mo",
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "km", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    catalogue = polib.pofile(str(copy / "locale/km/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert missing == [], f"no Khmer translation in locale/km for: {missing}"
    assert fuzzy == [], f"fuzzy in locale/km: {fuzzy}"
