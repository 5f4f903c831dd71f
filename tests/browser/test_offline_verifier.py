"""The offline card checker in a real browser: one online visit installs it; then, with
the network off, a card's QR address is answered and checked on the device (Ed25519 in
WebCrypto), and a tampered code is refused."""

import pytest

from registry.card import card_token, card_url
from tests.factories import PersonFactory

pytestmark = pytest.mark.browser


def _outcome(page) -> str:
    page.wait_for_selector("#offline-result[data-outcome]")
    return page.get_attribute("#offline-result", "data-outcome")


def _install(page) -> None:
    page.goto("/verify/offline/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "async () => { const hit = await caches.match('/verify/keys/');"
        " return !!hit && !!(await caches.match('/verify/offline/')); }"
    )
    page.wait_for_function("() => document.getElementById('keys-state').textContent !== ''")


def test_a_card_verifies_offline_and_a_tampered_one_is_refused(page, live_server):
    person = PersonFactory()
    other = PersonFactory()
    path = card_url(person, base_url=live_server.url).removeprefix(live_server.url)
    _install(page)

    page.context.set_offline(True)
    page.goto(path)  # as the camera app would open it, with no network
    assert _outcome(page) == "valid"
    result = page.inner_text("#offline-result")
    assert person.registration_number[:3] in result
    assert "Phnom Penh" in result or "ភ្នំពេញ" in result
    # It says what it cannot know offline: the status now.
    assert page.locator("#offline-result .message.warning").count() >= 1
    assert person.name_km not in page.content()

    header, payload, signature = card_token(person).split(".")
    forged = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    page.goto(f"/verify/{person.registration_number}/{forged}/")
    assert _outcome(page) == "signature"

    # A genuine code pasted under someone else's number.
    page.goto(f"/verify/{other.registration_number}/{card_token(person)}/")
    assert _outcome(page) == "other_number"

    # Typing a code into the checker's own form works offline too.
    page.goto("/verify/offline/")
    page.fill("#id_code", card_url(person, base_url=live_server.url))
    page.click("#offline-check button[type=submit]")
    assert _outcome(page) == "valid"

    page.context.set_offline(False)
    page.goto(path)  # online again: the server's page, with the status now
    assert page.get_attribute("[data-signature]", "data-signature") == "valid"
