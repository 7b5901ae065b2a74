"""Real browser: sign-in, My work, accessibility and narrow screens."""

import pytest

from pmf.tests.browser import serious_violations, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_in_through_the_form_shows_my_work_and_passes_axe(browser, live_server, world):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    assert serious_violations(page) == []
    sign_in(page, live_server, "bob@example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "My work"
    assert (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").get_attribute("aria-current")
        == "page"
    )
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/org/{world.team.pk}/")
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/people/")
    assert serious_violations(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wrong_password_message_and_narrow_screen_without_sideways_scroll(browser, live_server, world):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email address").fill("bob")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert "do not match an account" in page.get_by_role("alert").inner_text()
    assert serious_violations(page) == []
    sign_in(page, live_server, "bob")
    for path in ("/", "/org/", f"/org/{world.team.pk}/", "/people/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_skip_link_is_the_first_stop_and_moves_focus_to_main(browser, live_server, world):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, "dora")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
