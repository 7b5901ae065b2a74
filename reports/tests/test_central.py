"""Report Central's pages: the list and a definition's history (query counts with one and many
rows), the definition form (choices re-checked on the server), Run now, the run page's states
and the downloads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import params as contract
from reports.assemble import default_sections, offered_sections
from reports.models import ReportDefinition, ReportRun
from reports.tests.access_urls import PERIOD, make_definition, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _definitions(world, count, start=0):
    made = []
    for number in range(start, start + count):
        definition = make_definition(f"Report {number:02d}", unit=world.directorate, author=world.manager)
        make_run(definition, user=world.manager, status=ReportRun.Status.DONE, files=True)
        make_run(definition, user=world.manager, period=datetime.date(2026, 10, 1))
        made.append(definition)
    return made


def _list_queries(client, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(reverse("report-central"))
    return response


def test_report_central_lists_what_the_person_sees_with_the_latest_run_in_constant_queries(
    world, client_for, django_assert_num_queries
):
    _definitions(world, 1)
    client = client_for(world.manager)
    client.get(reverse("report-central"))  # warm the session and the content types
    # session, user, their unit, count, page of definitions (with the latest-run subqueries), scope
    # names (one query per kind of scope), whether they may define reports, unread notifications
    with django_assert_num_queries(8):
        one = client.get(reverse("report-central"))
    _definitions(world, 11, start=1)
    with django_assert_num_queries(8):
        many = client.get(reverse("report-central"))

    assert [row.name for row in one.context["rows"]] == ["Report 00"]
    assert [row.name for row in many.context["rows"]] == [f"Report {n:02d}" for n in range(12)]
    first = many.context["rows"][0]
    assert (first.last_run_status, first.last_run_period) == ("queued", datetime.date(2026, 10, 1))
    assert first.scope_label == "Organisation unit: Housing"
    assert "Queued</span> Oct 2026" in many.content.decode()


def test_report_central_hides_other_units_reports(world, client_for):
    make_definition("Housing report", unit=world.directorate, author=world.manager)
    make_definition("Property report", unit=world.other_directorate, author=world.admin)

    seen = {
        actor: [row.name for row in client_for(getattr(world, actor)).get(reverse("report-central")).context["rows"]]
        for actor in ("admin", "manager", "updater", "viewer", "outsider")
    }
    assert seen == {
        "admin": ["Housing report", "Property report"],
        "manager": ["Housing report"],
        "updater": ["Housing report"],
        "viewer": [],
        "outsider": [],
    }


def test_a_definitions_history_lists_runs_in_constant_queries(world, client_for, django_assert_num_queries):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)
    make_run(definition, user=world.manager, status=ReportRun.Status.DONE, files=True)
    client = client_for(world.manager)
    url = reverse("report-definition", kwargs={"pk": definition.pk})
    client.get(url)
    with django_assert_num_queries(15) as one:
        client.get(url)
    for month in range(1, 10):
        make_run(definition, user=world.updater, period=datetime.date(2026, month, 1), status=ReportRun.Status.DONE)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)

    rows = response.context["runs"]
    assert len(rows) == 10
    assert [run.period.month for run in rows] == [9, 8, 7, 6, 5, 4, 3, 2, 1, 9]  # newest first
    page = response.content.decode()
    assert "Charlie Updater" in page and "Bob Manager" in page
    assert ">39\xa0bytes<" in page  # the size of the stored PDF


def _payload(world, **changes):
    data = {
        "name": "Housing Board dossier",
        "kind": "board",
        "scope_choice": f"unit:{world.directorate.pk}",
        "audience": "Housing committee",
        "marking": "OFFICIAL",
        "org_unit": world.directorate.pk,
        "section_keys": list(default_sections("board")),
        "charts": "on",
        "commentary": "on",
        "schedule": "monthly",
        "schedule_day": "18",
        "recipients": [world.updater.pk],
        "active": "on",
        "ex_red": "on",
        "ex_amber_periods": "3",
        "ex_missed_periods": "0",
        "ex_assessment_gap_levels": "1",
        "ex_overdue_actions": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_manager_defines_a_report_for_their_unit(world, client_for):
    offered = [section.key for section in offered_sections("board")]
    chosen = list(reversed(offered[:3]))  # ticked in any order; kept in the report's order

    response = client_for(world.manager).post(reverse("report-definition-create"), _payload(world, section_keys=chosen))

    definition = ReportDefinition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == definition.get_absolute_url()
    assert (definition.kind, definition.scope, definition.scope_id) == ("board", "unit", world.directorate.pk)
    assert definition.sections == offered[:3]
    assert (definition.schedule, definition.schedule_day, definition.marking) == ("monthly", 18, "OFFICIAL")
    assert list(definition.recipients.all()) == [world.updater]
    assert definition.created_by == world.manager
    assert definition.exceptions == {
        **contract.DEFAULT_EXCEPTION_SETTINGS,
        "amber_periods": 3,
        "missed_periods": 0,
        "long_trend_worse": False,
        "check_progress_actions": False,
        "risks_above_appetite": False,
        "risks_rising": False,
    }
    assert definition.history.count() == 2  # the definition, then its recipients


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("scope_choice", "scope_choice", "Select a valid choice."),
        ("org_unit", "org_unit", "Select a valid choice."),
        ("recipients", "recipients", "Select a valid choice."),
        ("section_keys", "section_keys", "Select a valid choice. no-such-section is not one of the available choices."),
        ("schedule_day", "schedule_day", "Give the day of the month the scheduled run is made."),
    ],
)
def test_choices_outside_what_the_person_may_pick_are_refused_and_nothing_is_saved(
    world, client_for, change, field, message
):
    bad = {
        "scope_choice": f"unit:{world.other_group.pk}",
        "org_unit": world.other_directorate.pk,
        "recipients": [world.outsider.pk],
        "section_keys": ["no-such-section"],
        "schedule_day": "",
    }[change]

    response = client_for(world.manager).post(reverse("report-definition-create"), _payload(world, **{change: bad}))

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors[0].startswith(message)
    assert not ReportDefinition.objects.exists()


def test_changing_the_kind_lists_that_kinds_sections(world, client_for):
    response = client_for(world.admin).get(reverse("report-definition-create"), {"kind": "tenants"})

    form = response.context["form"]
    assert [key for key, _ in form.fields["section_keys"].choices] == [s.key for s in offered_sections("tenants")]
    assert form["section_keys"].initial == list(default_sections("tenants"))
    assert 'hx-trigger="change from:#id_kind"' in response.content.decode()


def test_run_now_queues_a_run_and_shows_its_page(world, client_for, django_capture_on_commit_callbacks):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)
    client = client_for(world.updater)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("report-run-create", kwargs={"pk": definition.pk}), {"period": "2026-09"})

    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert len(queued) == 1
    assert (run.status, run.requested_by, run.period) == ("queued", world.updater, PERIOD)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Waiting for a worker to start the report" in page
    assert f'hx-get="{reverse("report-run-status", kwargs={"pk": run.pk})}"' in page
    assert 'hx-trigger="every 1s"' in page


def test_run_now_with_a_scope_the_person_may_not_see_is_refused_with_the_reason(world, client_for):
    definition = make_definition(
        "Group report", unit=world.directorate, author=world.admin, scope_unit=world.other_group
    )

    response = client_for(world.manager).post(
        reverse("report-run-create", kwargs={"pk": definition.pk}), {"period": "2026-09"}
    )

    assert response.status_code == 403
    assert "You cannot run this report: you may not see its organisation unit." in response.content.decode()
    assert not ReportRun.objects.exists()


def test_run_now_with_a_bad_month_names_the_field(world, client_for):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)

    response = client_for(world.manager).post(
        reverse("report-run-create", kwargs={"pk": definition.pk}), {"period": "2026-13"}
    )

    assert response.status_code == 200
    assert response.context["run_form"].errors["period"] == ["Enter a month as YYYY-MM, e.g. 2025-10."]
    assert not ReportRun.objects.exists()


def test_run_now_offers_the_latest_issued_month(world, client_for):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)
    today = timezone.localdate()

    response = client_for(world.manager).get(definition.get_absolute_url())

    expected = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if today.day < 16:
        expected = (expected - datetime.timedelta(days=1)).replace(day=1)
    assert response.context["run_form"]["period"].value() == expected.strftime("%Y-%m")


def test_the_status_fragment_shows_progress_by_section_then_the_downloads(world, client_for):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)
    run = make_run(
        definition,
        user=world.manager,
        status=ReportRun.Status.RUNNING,
        sections_done=2,
        sections_total=5,
        current_label="Exceptions",
    )
    client = client_for(world.manager)
    url = reverse("report-run-status", kwargs={"pk": run.pk})

    running = client.get(url).content.decode()
    assert "Sections made: 2 of 5 (last: Exceptions)" in running
    assert '<progress id="run-progress" max="5" value="2">40%</progress>' in running
    assert "<html" not in running  # only the fragment

    done = make_run(definition, user=world.manager, status=ReportRun.Status.DONE, files=True)
    finished = client.get(reverse("report-run-status", kwargs={"pk": done.pk})).content.decode()
    assert "hx-get" not in finished
    assert reverse("report-run-pdf", kwargs={"pk": done.pk}) in finished
    assert reverse("report-run-docx", kwargs={"pk": done.pk}) in finished
    assert reverse("report-run-web", kwargs={"pk": done.pk}) in finished


def test_a_failed_run_shows_its_error(world, client_for):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)
    run = make_run(
        definition, user=world.manager, status=ReportRun.Status.FAILED, error="The report could not be made: X"
    )

    page = client_for(world.manager).get(run.get_absolute_url()).content.decode()

    assert "The report could not be made: X" in page
    assert "hx-get" not in page


def test_downloads_are_private_and_only_for_finished_runs(world, client_for):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)
    done = make_run(definition, user=world.manager, status=ReportRun.Status.DONE, files=True)
    queued = make_run(definition, user=world.manager)
    client = client_for(world.manager)

    pdf = client.get(reverse("report-run-pdf", kwargs={"pk": done.pk}))
    word = client.get(reverse("report-run-docx", kwargs={"pk": done.pk}))
    web = client.get(reverse("report-run-web", kwargs={"pk": done.pk}))

    assert (pdf.status_code, pdf["Content-Type"], pdf["Cache-Control"]) == (200, "application/pdf", "private, no-store")
    assert b"".join(pdf.streaming_content) == b"%PDF-1.7 stored bytes of a finished run"
    assert pdf["Content-Disposition"] == f'attachment; filename="run{done.pk}.pdf"'
    assert word["Cache-Control"] == "private, no-store"
    assert word["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert web["Cache-Control"] == "private, no-store"
    assert "<p>The stored web version.</p>" in web.content.decode()
    for name in ("report-run-pdf", "report-run-docx", "report-run-web"):
        assert client.get(reverse(name, kwargs={"pk": queued.pk})).status_code == 404


def test_a_viewer_or_updater_sees_only_their_own_runs_and_those_sent_to_them(world, client_for):
    definition = make_definition(
        "Alpha Board dossier", unit=world.org, author=world.admin, recipients=[world.viewer], kind="board"
    )
    admins = make_run(definition, user=world.admin, trigger=ReportRun.Trigger.SCHEDULE)
    manual = make_run(definition, user=world.admin, period=datetime.date(2026, 8, 1))
    updaters = make_run(definition, user=world.updater, period=datetime.date(2026, 7, 1))

    def seen(user):
        response = client_for(user).get(definition.get_absolute_url())
        return {run.pk for run in response.context["runs"]}

    assert seen(world.viewer) == {admins.pk}  # a recipient sees the scheduled runs
    assert seen(world.updater) == {updaters.pk}
    assert seen(world.admin) == {admins.pk, manual.pk, updaters.pk}


def test_a_manager_edits_a_report_of_their_unit_and_the_change_is_in_its_history(world, client_for):
    definition = make_definition("Housing exceptions", unit=world.directorate, author=world.manager)
    before = definition.history.count()

    response = client_for(world.manager).post(
        reverse("report-definition-edit", kwargs={"pk": definition.pk}),
        _payload(world, name="Housing exceptions for the committee", kind="exceptions", section_keys=["exceptions"]),
    )

    definition.refresh_from_db()
    assert response.status_code == 302
    assert (definition.name, definition.kind, definition.sections) == (
        "Housing exceptions for the committee",
        "exceptions",
        ["exceptions"],
    )
    assert definition.created_by == world.manager
    assert definition.history.count() == before + 2  # the fields, then the recipients
    assert definition.history.first().name == "Housing exceptions for the committee"
