"""The Content-Security-Policy: sent on every page, and nothing on the main pages breaks it."""

import io
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse

from pmf.demo import DEMO_PASSWORD
from pmf.middleware import PERMISSIONS_POLICY

# Recorded before any page script runs, so a violation by the first script is caught too.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile}:${event.lineNumber}`);
});
"""
# Demo people of each role; one of each is enough to reach every kind of page.
ROLES = ("group.admin", "mh.manager", "mh.updater", "mh.viewer")
# Links followed from each main page into its detail pages.
DETAILS_PER_PAGE = 3


def test_every_page_sends_the_policy_and_the_privacy_headers(world, client_for):
    response = client_for(world.manager).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy + ";" and "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert "style-src-attr 'unsafe-inline'" in policy
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in PERMISSIONS_POLICY and "geolocation=()" in PERMISSIONS_POLICY
    assert response["Cache-Control"] == "private, no-store"
    anonymous = client_for(None).get(reverse("login"))
    assert "frame-ancestors 'none'" in anonymous["Content-Security-Policy"]
    assert anonymous["Permissions-Policy"] == PERMISSIONS_POLICY


def test_exports_are_not_cached(world, client_for):
    response = client_for(world.admin).get(reverse("indicator-export", kwargs={"kind": "values", "fmt": "csv"}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def _visit(page, url) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations || []")


def _local_links(page, base, selector) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map((link) => link.getAttribute('href'))")
    found = []
    for href in hrefs:
        if not href or not href.startswith("/") or href.startswith("/accounts/logout"):
            continue
        if urlparse(href).path.endswith((".csv", ".xlsx", ".pdf", ".json")) or "export" in href or "download" in href:
            continue
        found.append(base + href)
    return list(dict.fromkeys(found))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_of_each_role_report_no_policy_violation(browser, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    violations = {}
    visited = set()
    for username in ROLES:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console = []
        page.on("console", lambda message, log=console: log.append(message.text))
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username or email address").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        main_pages = [f"{live_server.url}/", *_local_links(page, live_server.url, "nav[aria-label=Main] a")]
        for url in main_pages:
            found = _visit(page, url)
            visited.add(url)
            if found:
                violations[f"{username} {url}"] = found
            for detail in _local_links(page, live_server.url, "main a")[:DETAILS_PER_PAGE]:
                found = _visit(page, detail)
                visited.add(detail)
                if found:
                    violations[f"{username} {detail}"] = found
        refused = [text for text in console if "Content Security Policy" in text]
        if refused:
            violations[f"{username} console"] = refused
        context.close()
    public = browser.new_context()
    public.add_init_script(RECORD_VIOLATIONS)
    page = public.new_page()
    for url in _local_links_of_public(page, live_server.url):
        found = _visit(page, url)
        visited.add(url)
        if found:
            violations[url] = found
    public.close()
    assert violations == {}, "\n".join(f"{page}: {found[:3]}" for page, found in violations.items())
    assert len(visited) >= 30


def _local_links_of_public(page, base) -> list[str]:
    from scorecards.models import Scorecard

    pages = []
    for scorecard in Scorecard.objects.published():
        url = f"{base}{reverse('public-scorecard', kwargs={'slug': scorecard.public_slug})}"
        page.goto(url)
        pages.append(url)
        pages.extend(_local_links(page, base, "main a")[:DETAILS_PER_PAGE])
    return pages
