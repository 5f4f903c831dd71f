"""Small counts hidden from roles without record access, so no one can be singled out.

A count from 1 to 4 is shown as "<5" (primary suppression). When only one cell of a
table is hidden, the table's total minus the other cells would give it back, so the
smallest other non-zero cell is hidden too (complementary suppression). A total from
1 to 4 is hidden like any cell. Zero is shown: it says no one, about no one.
"""

from dataclasses import dataclass

THRESHOLD = 5


@dataclass
class Cell:
    key: object
    label: str
    n: int
    hidden: bool = False
    href: str = ""

    @property
    def shown(self) -> str | int:
        return f"<{THRESHOLD}" if self.hidden else self.n


def suppress(cells: list[Cell], *, total: int) -> bool:
    """Hide what must be hidden in `cells` (whose sum is `total`); whether the total is
    hidden as well."""
    for cell in cells:
        cell.hidden = 0 < cell.n < THRESHOLD
    hidden = [c for c in cells if c.hidden]
    # The part of the total not in these cells (e.g. the rest of a "top 10") counts as a
    # hidden cell: with it, one hidden cell alone cannot be worked out either.
    rest = total - sum(c.n for c in cells)
    if len(hidden) == 1 and rest == 0:
        others = [c for c in cells if not c.hidden and c.n > 0]
        if others:
            min(others, key=lambda c: c.n).hidden = True
    return 0 < total < THRESHOLD
