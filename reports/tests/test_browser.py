"""Report Central in a real browser, with a real Celery worker making the report: the performance
officer opens Reports, runs the Board dossier, watches the run page until it is ready and
downloads the PDF; Report Central and the run page are clean under axe-core."""

import pytest
from django.conf import settings

from cycle.tests.test_celery_cycle import Processes
from pmf.tests.browser import serious_violations, sign_in
from reports.assemble import offered_sections
from reports.models import ReportRun
from reports.tests.access_urls import make_definition


@pytest.fixture
def worker(tmp_path, settings):
    """A worker on the queue the live server sends to, on the test database."""
    settings.MEDIA_ROOT = tmp_path / "media"
    found = Processes(tmp_path, {})
    found.queue = settings.CELERY_TASK_DEFAULT_QUEUE
    found.env["CELERY_QUEUE"] = found.queue
    found.worker()
    yield found
    found.stop()


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_performance_officer_runs_the_board_dossier_and_downloads_it(browser, live_server, world, worker):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    make_definition("Alpha Board dossier", unit=world.org, author=world.admin, kind="board", audience="Alpha Board")

    # The run itself with the Content-Security-Policy enforced: htmx polls without inline script.
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    sign_in(page, live_server, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Report Central").wait_for()
    reports = page.get_by_role("table", name="Reports you can see, by name, with their latest run")
    assert "Not run yet" in reports.inner_text()

    reports.get_by_role("link", name="Alpha Board dossier").click()
    page.get_by_role("button", name="Run now").click()
    page.wait_for_url(f"{live_server.url}/reports/runs/*/")
    run_url = page.url
    status = page.locator("#run-status")
    assert status.get_by_role("heading").inner_text() in ("Queued", "Running", "Done")
    page.get_by_role("link", name="Download the PDF").wait_for(timeout=120_000)
    assert status.get_by_role("heading").inner_text() == "Done"
    assert "Ready:" in status.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    saved = download.value
    assert saved.suggested_filename.endswith(".pdf")
    with open(saved.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("link", name="Read it as a web page").click()
    page.get_by_role("heading", level=1, name="Alpha Board dossier, ").wait_for()
    web_url = page.url

    # Defining a report: choosing another kind lists that kind's sections (htmx, no page load).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Define a report").click()
    form_url = page.url
    sections = page.get_by_role("group", name="Sections")
    assert sections.get_by_role("checkbox", name="Appendix: PI definitions").count() == 1
    page.get_by_label("Kind").select_option(label="Tenant summary")
    sections.get_by_role("checkbox", name="Appendix: PI definitions").wait_for(state="detached")
    tenants = offered_sections("tenants")
    assert [box.get_attribute("value") for box in sections.get_by_role("checkbox").all()] == [s.key for s in tenants]
    assert sections.get_by_role("checkbox", name=tenants[0].label).is_checked()
    page.close()

    # axe-core is injected as an inline script, which the policy would block: a page without it.
    checked = browser.new_page(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    sign_in(checked, live_server, "alice")
    for url in (f"{live_server.url}/reports/", run_url, web_url, form_url):
        checked.goto(url)
        assert serious_violations(checked) == [], url
    checked.close()

    run = ReportRun.objects.get()
    assert (run.status, run.requested_by, run.attempts) == (ReportRun.Status.DONE, world.admin, 1)
