"""Logs without personal data (README "Log hygiene"): gunicorn's access log
(onboarding/gunicorn_conf.py) and the paths Django itself logs (settings.LOGGING).

An access line keeps what operations need (time, client, method, the route, status,
size, duration) and loses what identifies a person:

- the query string is dropped whole (`?q=` carries names, phones and ID numbers typed
  into a search box; `/verify/?number=` a registration number), leaving `?…` to say
  there was one;
- a path segment with a run of five or more digits (a registration number, a phone, an
  ID number; Khmer digits and spaces or other separators included) or with letters
  outside ASCII (a Khmer name) becomes `…`; short ids such as a batch number stay;
- the same applies to the request line, the referrer and every header value logged;
- Django logs the path of every 4xx and 5xx answer ("Not Found: /verify/1234567890/")
  and runserver every request line: `PathRedactingFilter` masks them the same way.
"""

import logging
import re
from urllib.parse import unquote

from gunicorn.glogging import Logger

MASK = "…"
# Five or more digits, ASCII or Khmer, possibly separated as people write numbers.
_LONG_NUMBER = re.compile(r"[0-9\u17e0-\u17e9](?:[\s.\-_]*[0-9\u17e0-\u17e9]){4,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_URL_ATOMS = ("r", "U", "f")


def url_redact(url: str) -> str:
    """`url` (a path, or a request line's target, or a full URL) without its query string
    and with every segment that could name a person masked."""
    if not url or url == "-":
        return url
    path, question, _query = url.partition("?")
    path, _hash, _fragment = path.partition("#")
    segments = [_segment_redact(segment) for segment in path.split("/")]
    return "/".join(segments) + ("?" + MASK if question else "")


def _segment_redact(segment: str) -> str:
    text = unquote(segment, errors="replace")
    if _LONG_NUMBER.search(text) or _NON_ASCII.search(text) or "\x00" in text:
        return MASK
    return segment


def request_line_redact(line: str) -> str:
    method, _space, rest = line.partition(" ")
    target, _space, protocol = rest.rpartition(" ")
    if not target:  # not "METHOD TARGET PROTOCOL": redact what there is
        return f"{method} {url_redact(rest)}"
    return f"{method} {url_redact(target)} {protocol}"


class RedactingLogger(Logger):
    """gunicorn's Logger whose access-log atoms carry no personal data."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = request_line_redact(atoms["r"])
        atoms["U"] = url_redact(atoms["U"] or "")
        atoms["f"] = url_redact(atoms["f"])
        atoms["q"] = MASK if atoms.get("q") else ""
        atoms["u"] = "-"  # a Basic-auth user name, never needed here
        for key, value in atoms.items():
            if key.startswith("{") and isinstance(value, str):
                atoms[key] = url_redact(value)
        return atoms


_REQUEST_LINE = re.compile(r"^[A-Z]+ /")


def _redact_argument(value):
    if not isinstance(value, str):
        return value
    if value.startswith("/"):
        return url_redact(value)
    if _REQUEST_LINE.match(value):
        return request_line_redact(value)
    return value


class PathRedactingFilter(logging.Filter):
    """Masks URL paths and request lines among a record's arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_argument(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_argument(v) for key, v in record.args.items()}
        return True
