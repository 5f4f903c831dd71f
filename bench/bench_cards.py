"""Card speed: signing and checking the QR's code, and rendering the card (PNG, PDF).

    .venv/bin/python bench/bench_cards.py --cards 50

No database: the card of an in-memory registrant (a Phnom Penh village, a Khmer and a
Latin name), as /me/ and the registrant API render it. Prints signatures and
verifications per second (Ed25519, registry.card_signing), and per card the PNG
(Pillow + Raqm) and PDF (WeasyPrint) times: the first card of the process (which loads
the fonts) apart from the steady ones (median and p95).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")


def _person():
    from geography.models import Commune, District, Province, Village
    from registry.models import Person

    province = Province(code="12", name_km="រាជធានីភ្នំពេញ", name_en="Phnom Penh")
    district = District(code="1201", name_km="ចំការមន", name_en="Chamkar Mon", province=province)
    commune = Commune(code="120101", name_km="ទន្លេបាសាក់", name_en="Tonle Basak", district=district)
    village = Village(code="12010101", name_km="ភូមិ ១", name_en="Phum 1", commune=commune)
    return Person(
        registration_number="4829130574",
        name_km="សុខ សុភាព",
        name_latin="Sok Sopheap",
        sex="F",
        date_of_birth=datetime.date(1990, 5, 17),
        village=village,
        actor_type="self_employed",
        sector="services",
        status="active",
        created_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
    )


def _timed(function, count: int) -> tuple[float, list[float]]:
    times = []
    for _index in range(count):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times[0], times[1:]


def _line(name: str, first: float, rest: list[float]) -> str:
    ordered = sorted(rest)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"{name}: first {first * 1000:.0f} ms, then median "
        f"{statistics.median(rest) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({len(rest)} cards)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=50)
    parser.add_argument("--signatures", type=int, default=5000)
    options = parser.parse_args()

    import django

    django.setup()
    from registry.card import card_png
    from registry.card_pdf import card_pdf
    from registry.card_signing import card_token_sign, card_token_verify

    issued = datetime.date(2026, 12, 1)
    start = time.perf_counter()
    tokens = [
        card_token_sign(number="4829130574", status="active", province_code="12", issued=issued)
        for _index in range(options.signatures)
    ]
    signed = time.perf_counter() - start
    start = time.perf_counter()
    for token in tokens:
        card_token_verify(token)
    verified = time.perf_counter() - start
    print(
        f"sign: {options.signatures / signed:,.0f}/s; verify: {options.signatures / verified:,.0f}/s"
    )

    person = _person()
    base_url = "https://onboarding.example.gov.kh"
    print(_line("PNG", *_timed(lambda: card_png(person, base_url=base_url), options.cards)))
    print(_line("PDF", *_timed(lambda: card_pdf(person, base_url=base_url), options.cards)))


if __name__ == "__main__":
    main()
