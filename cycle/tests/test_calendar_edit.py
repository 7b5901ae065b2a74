"""The reporting calendar edited by the performance team on its own page: days, lock, reminders
and moved dates, within the admin's scope, all or nothing, with history."""

import datetime

import pytest
from django.urls import reverse

from conftest import make_user
from cycle import services
from cycle.models import CalendarOverride, ReportingCalendar
from cycle.tests.factories import group_calendar
from pmf.models import OrgUnit
from pmf.tests.browser import serious_violations, sign_in

SCORECARDS_TOO_EARLY = (
    "Scorecards issued on day 10 would come before commentary and approvals due (day 15); choose day 15 or later."
)
OVERRIDE_TOO_EARLY = "PI values due for Mar 2026 must fall after the month ends (on or after 1 Apr 2026)."
# Session, user, the unit, the admin's own unit (their scope), the calendar, its moved dates, and
# the layout's count of unread notifications.
QUERIES = 7


def edit_url(unit):
    return reverse("cycle-calendar-edit", kwargs={"unit_pk": unit.pk})


def payload(**changes):
    data = {
        "values_due_day": "14",
        "approvals_due_day": "15",
        "scorecards_day": "16",
        "executive_review_day": "20",
        "service_review_day": "23",
        "lock_values": "on",
        "lock_day": "",
        "reminder_lead_days": "3",
        "escalate_manager_after_days": "3",
        "escalate_director_after_days": "7",
        "action_due_soon_days": "7",
        "action_stale_days": "30",
        "overrides-TOTAL_FORMS": "1",
        "overrides-INITIAL_FORMS": "0",
        "overrides-MIN_NUM_FORMS": "0",
        "overrides-MAX_NUM_FORMS": "200",
        "overrides-0-month": "",
        "overrides-0-step": "",
        "overrides-0-date": "",
        "overrides-0-note": "",
    }
    data.update(changes)
    return data


def test_an_admin_sets_up_their_organisations_calendar_with_a_moved_date_and_history(world, client_for):
    client = client_for(world.admin)
    page = client.get(edit_url(world.org))
    assert page.status_code == 200
    assert [legend for legend, _ in page.context["form"].groups()] == [
        "Days of the month after the reporting month",
        "Period lock",
        "Reminders and escalation",
    ]
    response = client.post(
        edit_url(world.org),
        payload(
            values_due_day="12",
            reminder_lead_days="5",
            **{
                "overrides-0-month": "2026-03-01",
                "overrides-0-step": "values_due",
                "overrides-0-date": "2026-04-13",
                "overrides-0-note": "Easter Monday",
            },
        ),
    )
    assert response.status_code == 302
    assert response.url == reverse("cycle-calendar") + f"?unit={world.org.pk}"
    calendar = ReportingCalendar.objects.get(org_unit=world.org)
    assert (calendar.values_due_day, calendar.reminder_lead_days, calendar.scorecards_day) == (12, 5, 16)
    override = CalendarOverride.objects.get(calendar=calendar)
    assert (override.month, override.step, override.date, override.note) == (
        datetime.date(2026, 3, 1),
        "values_due",
        datetime.date(2026, 4, 13),
        "Easter Monday",
    )
    created = calendar.history.get()
    assert (created.history_type, created.history_user) == ("+", world.admin)
    assert override.history.get().history_user == world.admin
    assert services.Calendars.load().for_unit(world.team).deadline(datetime.date(2026, 3, 1)) == datetime.date(
        2026, 4, 13
    )


def test_an_admin_changes_a_calendar_and_deletes_a_moved_date(world, client_for):
    calendar = group_calendar(world, scorecards_day=17)
    override = CalendarOverride.objects.create(
        calendar=calendar, month=datetime.date(2026, 3, 1), step="values_due", date=datetime.date(2026, 4, 13)
    )
    client = client_for(world.admin)
    page = client.get(edit_url(world.group))
    assert page.context["form"]["scorecards_day"].value() == 17
    assert len(page.context["overrides"].forms) == 3  # the moved date and two blank rows
    data = payload(
        scorecards_day="18",
        **{
            "overrides-INITIAL_FORMS": "1",
            "overrides-0-id": str(override.pk),
            "overrides-0-calendar": str(calendar.pk),
            "overrides-0-month": "2026-03-01",
            "overrides-0-step": "values_due",
            "overrides-0-date": "2026-04-13",
            "overrides-0-DELETE": "on",
        },
    )
    response = client.post(edit_url(world.group), data)
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.scorecards_day == 18
    assert not CalendarOverride.objects.exists()
    assert [row.history_type for row in calendar.history.order_by("history_id")] == ["+", "~"]
    assert calendar.history.latest("history_id").history_user == world.admin


def test_an_impossible_calendar_is_refused_naming_the_field_and_nothing_is_saved(world, client_for):
    client = client_for(world.admin)
    data = payload(
        scorecards_day="10",
        **{"overrides-0-month": "2026-03-01", "overrides-0-step": "values_due", "overrides-0-date": "2026-04-13"},
    )
    response = client.post(edit_url(world.org), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"scorecards_day": [SCORECARDS_TOO_EARLY]}
    assert SCORECARDS_TOO_EARLY in response.content.decode()
    assert not ReportingCalendar.objects.exists()
    assert not CalendarOverride.objects.exists()


def test_a_bad_moved_date_is_refused_on_its_date_and_nothing_is_saved(world, client_for):
    calendar = group_calendar(world)
    client = client_for(world.admin)
    data = payload(
        values_due_day="11",
        **{"overrides-0-month": "2026-03-01", "overrides-0-step": "values_due", "overrides-0-date": "2026-03-20"},
    )
    response = client.post(edit_url(world.group), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {}
    assert response.context["overrides"].errors == [{"date": [OVERRIDE_TOO_EARLY]}]
    assert OVERRIDE_TOO_EARLY in response.content.decode()
    calendar.refresh_from_db()
    assert calendar.values_due_day == 14
    assert calendar.history.count() == 1
    assert not CalendarOverride.objects.exists()


def test_a_partner_admin_cannot_open_another_partners_calendar(world, client_for):
    partner = OrgUnit.objects.create(
        name="Beta Homes", code="beta-homes", kind=OrgUnit.Kind.ORGANISATION, parent=world.org.parent
    )
    partner_admin = make_user("pat", "admin", partner, name="Pat Partner")
    client = client_for(partner_admin)
    assert client.get(edit_url(partner)).status_code == 200
    assert client.get(edit_url(world.org)).status_code == 404
    assert client.get(edit_url(world.group)).status_code == 404
    assert client.post(edit_url(world.org), payload(values_due_day="12")).status_code == 404
    assert not ReportingCalendar.objects.exists()


@pytest.mark.parametrize(("actor", "status"), [("viewer", 403), ("updater", 403), ("manager", 403), ("outsider", 404)])
def test_only_the_performance_team_over_the_unit_edits_it(world, client_for, actor, status):
    client = client_for(world.actor(actor))
    assert client.get(edit_url(world.org)).status_code == status
    assert client.post(edit_url(world.org), payload(values_due_day="12")).status_code == status
    assert not ReportingCalendar.objects.exists()


def test_a_team_has_no_calendar_of_its_own(world, client_for):
    client = client_for(world.admin)
    assert client.get(edit_url(world.team)).status_code == 404
    assert client.get(edit_url(world.directorate)).status_code == 404
    assert client.post(edit_url(world.team), payload()).status_code == 404
    assert not ReportingCalendar.objects.exists()


def test_the_calendar_page_links_admins_to_the_editor_of_the_unit_shown(world, client_for):
    link = edit_url(world.org)
    admin_page = client_for(world.admin).get(reverse("cycle-calendar"), {"unit": world.org.pk})
    assert f'href="{link}"' in admin_page.content.decode()
    assert "Edit this calendar" in admin_page.content.decode()
    for actor in ("viewer", "manager"):
        page = client_for(world.actor(actor)).get(reverse("cycle-calendar"))
        assert "Edit this calendar" not in page.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_an_admin_corrects_a_refused_calendar_and_the_page_passes_axe(browser, live_server, world):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}{reverse('cycle-calendar')}?unit={world.org.pk}")
    page.get_by_role("link", name="Edit this calendar").click()
    page.get_by_role("heading", name="Reporting calendar of Alpha Homes").wait_for()
    assert serious_violations(page) == []
    page.get_by_label("scorecards issued").fill("10")
    page.get_by_role("button", name="Save the calendar").click()
    assert SCORECARDS_TOO_EARLY in page.get_by_role("alert").inner_text()
    assert serious_violations(page) == []
    page.get_by_label("scorecards issued").fill("17")
    page.get_by_label("Reporting month of row 1").fill("2026-03-01")
    page.get_by_label("Step of row 1").select_option("values_due")
    page.get_by_label("Date of row 1").fill("2026-04-13")
    page.get_by_role("button", name="Save the calendar").click()
    page.get_by_text("Set up the reporting calendar of Alpha Homes.").wait_for()
    page.close()
    calendar = ReportingCalendar.objects.get(org_unit=world.org)
    assert calendar.scorecards_day == 17
    assert CalendarOverride.objects.get(calendar=calendar).date == datetime.date(2026, 4, 13)


def test_the_page_takes_the_same_queries_for_one_moved_date_or_many(world, client_for, django_assert_num_queries):
    calendar = group_calendar(world)
    client = client_for(world.admin)

    def add_moved_dates(months):
        for month in months:
            CalendarOverride.objects.create(
                calendar=calendar,
                month=datetime.date(2026, month, 1),
                step="values_due",
                date=datetime.date(2026, month + 1, 13),
            )

    add_moved_dates([1])
    client.get(edit_url(world.group))  # warm the session and per-process caches
    with django_assert_num_queries(QUERIES) as one:
        assert client.get(edit_url(world.group)).status_code == 200
    add_moved_dates(range(2, 11))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(edit_url(world.group))
    assert len(response.context["overrides"].forms) == 12


def test_the_same_step_moved_twice_in_a_month_is_refused_and_nothing_is_saved(world, client_for):
    row = {"month": "2026-03-01", "step": "values_due", "date": "2026-04-13"}
    data = payload(**{"overrides-TOTAL_FORMS": "2"})
    for index in (0, 1):
        data.update({f"overrides-{index}-{key}": value for key, value in row.items()})
    response = client_for(world.admin).post(edit_url(world.org), data)
    assert response.status_code == 400
    assert response.context["overrides"].non_form_errors() == [
        "Please correct the duplicate data for month and step, which must be unique."
    ]
    assert not ReportingCalendar.objects.exists()
