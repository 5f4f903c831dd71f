"""Drop repeated entries from the translation catalogues, keeping the first.

Branches append their new entries to the end of `locale/*/LC_MESSAGES/django.po`, and git
merges the catalogues by union (`.gitattributes`), so two branches that added the same
message leave it twice, which `msgfmt` refuses. This keeps each message's first entry and
leaves every other line as it was (unlike `msguniq`, which rewraps the whole file):

    .venv/bin/python scripts/po_dedupe.py locale/*/LC_MESSAGES/django.po
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_STRING = re.compile(r'^(msgctxt|msgid|msgid_plural)\s+"(.*)"$|^"(.*)"$')


def _key(entry: list[str]) -> tuple[str, str, str] | None:
    """(msgctxt, msgid, msgid_plural) of an entry; None for comments-only blocks."""
    parts: dict[str, str] = {}
    current = None
    for line in entry:
        match = _STRING.match(line)
        if line.startswith("msgstr"):
            break
        if not match:
            continue
        if match.group(1):
            current = match.group(1)
            parts[current] = match.group(2)
        elif current:
            parts[current] += match.group(3)
    if "msgid" not in parts:
        return None
    return parts.get("msgctxt", ""), parts["msgid"], parts.get("msgid_plural", "")


def _entries(block: str) -> list[str]:
    """A block split before each `msgid` after its first: the union can also glue an
    entry that lost its `msgstr ""` straight onto the next one's `msgid`."""
    parts: list[list[str]] = [[]]
    for line in block.splitlines():
        if line.startswith("msgid ") and any(x.startswith("msgid ") for x in parts[-1]):
            parts.append([])
        parts[-1].append(line)
    return ["\n".join(part) for part in parts]


def dedupe(text: str) -> tuple[str, int]:
    # A union merge can glue two branches' entries together: an entry's comment right
    # after the previous entry's translation starts a new entry.
    # Both branches end their English entries with the same `msgstr ""` line, which the
    # union keeps once: an entry left without one gets it back (an untranslated entry,
    # which the English catalogue allows and the Khmer catalogue's test refuses).
    text = re.sub(r'^((?:\w+(?:\[\d+\])?\s+)?".*")\n(#)', r"\1\n\n\2", text, flags=re.M)
    blocks = [
        part if "msgstr" in part or _key(part.splitlines()) is None else part + '\nmsgstr ""'
        for block in re.split(r"\n{2,}", text.strip("\n"))
        for part in _entries(block)
    ]
    seen: set[tuple[str, str, str]] = set()
    kept = []
    dropped = 0
    for block in blocks:
        key = _key(block.splitlines())
        if key is not None and key[1] != "" and key in seen:
            dropped += 1
            continue
        if key is not None:
            seen.add(key)
        kept.append(block)
    return "\n\n".join(kept) + "\n", dropped


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        before = path.read_text(encoding="utf-8")
        text, dropped = dedupe(before)
        if text != before:
            path.write_text(text, encoding="utf-8")
        print(f"{path}: {dropped} repeated entries dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
