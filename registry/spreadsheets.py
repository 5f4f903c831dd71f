"""Registry data written out to files that people open in a spreadsheet.

A cell that starts like a formula (`=SUM(1,2)`, `+1`, `@cmd`, `=HYPERLINK(...)`) runs as
one in Excel or LibreOffice; text typed by a registrant or a partner must never do that.
Every CSV or XLSX the portal writes passes each text cell through `cell_neutralise`: a
leading apostrophe makes the spreadsheet show the text as typed, and the intake reader
drops it again when such a file comes back.
"""

# Leading characters a spreadsheet reads as the start of a formula, including the
# full-width forms Excel also accepts, and the apostrophe itself (so it round-trips).
FORMULA_STARTS = frozenset("=+-@\t\r'＝＋－＠")


def cell_neutralise(value: str) -> str:
    """The cell as text no spreadsheet evaluates (spaces before a formula count too)."""
    first = value.lstrip(" ")[:1]
    return "'" + value if first and first in FORMULA_STARTS else value
