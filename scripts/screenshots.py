"""Screenshots of the register, branch, review and dashboard pages, in Khmer and English,
at phone (390 px) and desktop (1366 px) width, into docs/screenshots/.

Run by scripts/screenshots.sh against a server with the demo data (seed_demo); uses the
playwright package with Debian's chromium (never a downloaded browser).

    python scripts/screenshots.py http://127.0.0.1:8765 docs/screenshots
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "demo-2026-kh"  # noqa: S105 - seed_demo's printed demo password
CHROMIUM = "/usr/bin/chromium"
SIZES = [(390, 844), (1366, 900)]  # phone, desktop
LANGUAGES = ("km", "en")
# name: (path, the demo user to sign in as, or None for a visitor)
PAGES = {
    "register": ("/register/", None),
    "branch": ("/branch/", "demo_branch"),
    "review": ("/review/duplicates/", "demo_ministry"),
    "dashboard": ("/dashboard/", "demo_ministry"),
}


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.lang-switch) button[type=submit]")
    page.wait_for_load_state("networkidle")


def main(base_url: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        for width, height in SIZES:
            for language in LANGUAGES:
                for name, (path, username) in PAGES.items():
                    context = browser.new_context(
                        base_url=base_url, viewport={"width": width, "height": height}
                    )
                    context.add_cookies(
                        [{"name": "django_language", "value": language, "url": base_url}]
                    )
                    page = context.new_page()
                    if username:
                        sign_in(page, username)
                    page.goto(path)
                    page.wait_for_load_state("networkidle")
                    # Fonts and charts drawn before the picture is taken.
                    page.evaluate("document.fonts.ready")
                    page.wait_for_timeout(500)
                    target = out / f"{name}-{language}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
