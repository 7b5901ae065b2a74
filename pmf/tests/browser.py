"""Browser test helpers: Debian's Chromium driven by Playwright, pages checked with axe-core.

The `browser` fixture lives in the root conftest; tests use it with `live_server`."""

import os
from pathlib import Path

from django.db import connections

from conftest import PASSWORD
from pmf.tests.services import need_chromium

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch_browser():
    """Yields a headless Chromium (skips, or fails under REQUIRE_BROWSER=1, when it is missing)."""
    executable = need_chromium()
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in
    # another thread, but Django checks the calling thread, so allow it for the test's own queries.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Connections opened while Playwright's loop ran belong to its context; close them here
        # so none outlives the test database.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def serious_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol, not as a <script> element, so the page's
    # Content-Security-Policy (no inline script) stays enforced while axe runs.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
