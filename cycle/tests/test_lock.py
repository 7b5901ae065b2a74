"""The period lock: from the calendar's lock day, a period's values are closed to updaters; a
manager over the PI or the performance team corrects them with a reason. The monthly form, the
single-period form, the row-by-row import and the COPY import all obey it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cycle.models import ReportingCalendar
from cycle.tests.factories import group_calendar
from indicators import imports, services
from indicators.models import Measurement
from indicators.tests.factories import team_indicator
from pmf import periods
from pmf.tests.services import need_postgres
from scorecards.tests.factories import make_scorecard

JAN_2025 = datetime.date(2025, 1, 1)  # locked since 16 Feb 2025 under a calendar


def open_period() -> datetime.date:
    """This month: its values are not even due yet, so it is open whatever the day."""
    return periods.month_start(timezone.localdate())


@pytest.fixture
def pi(world):
    return team_indicator(world, code="LCK01", title="Rent collected")


def save(pi, user, period=JAN_2025, value="95", reason=""):
    return services.save_values(
        entries=[services.ValueInput(indicator=pi, period=period, value=Decimal(value), reason=reason)], user=user
    )


def test_without_a_calendar_no_period_locks(world, pi):
    save(pi, world.updater)
    assert Measurement.objects.get(indicator=pi, period=JAN_2025).value == Decimal("95")


def test_an_updater_cannot_change_a_locked_period_and_nothing_is_saved(world, pi):
    group_calendar(world)
    with pytest.raises(services.EntriesInvalid) as refused:
        save(pi, world.updater)
    assert refused.value.errors == {
        "LCK01 Jan 2025": {
            "value": "LCK01 Jan 2025 locked on 16 Feb 2025; ask a manager or the performance team to correct it."
        }
    }
    assert not Measurement.objects.exists()
    save(pi, world.updater, period=open_period())
    assert Measurement.objects.get().period == open_period()


def test_the_lock_day_and_switching_locks_off_come_from_the_calendar(world, pi):
    calendar = group_calendar(world, lock_day=20)
    with pytest.raises(services.EntriesInvalid) as refused:
        save(pi, world.updater)
    assert "locked on 20 Feb 2025" in refused.value.errors["LCK01 Jan 2025"]["value"]
    calendar.lock_values = False
    calendar.save()
    save(pi, world.updater)
    assert Measurement.objects.count() == 1


def test_an_organisations_own_calendar_beats_its_groups(world, pi):
    group_calendar(world)
    ReportingCalendar.objects.create(org_unit=world.org, lock_values=False)
    save(pi, world.updater)
    assert Measurement.objects.count() == 1


def test_a_manager_corrects_a_locked_period_only_with_a_reason(world, pi):
    group_calendar(world)
    with pytest.raises(services.EntriesInvalid) as refused:
        save(pi, world.manager)
    assert refused.value.errors == {
        "LCK01 Jan 2025": {"reason": "LCK01 Jan 2025 locked on 16 Feb 2025; give the reason for the correction."}
    }
    save(pi, world.manager, reason="Late postings from the housing system")
    measurement = Measurement.objects.get()
    assert measurement.history.first().history_change_reason == "Late postings from the housing system"


def test_the_reason_shows_as_the_restatement_of_an_issued_edition(world, pi, client_for):
    from scorecards import services as scorecard_services

    save(pi, world.updater, value="91")
    card = make_scorecard(world.directorate, [pi])
    edition = scorecard_services.issue_edition(scorecard=card, period=JAN_2025, user=world.manager)
    group_calendar(world)
    save(pi, world.admin, value="89", reason="Two payments were posted to the wrong month")
    response = client_for(world.manager).get(reverse("edition-detail", kwargs={"pk": edition.pk}))
    (item, change), *_ = response.context["restated"]
    assert (change.old_text, change.new_text, change.who, change.why) == (
        "91.0%",
        "89.0%",
        "Alice Admin",
        "Two payments were posted to the wrong month",
    )


def test_the_single_period_form_refuses_an_updater_with_the_lock_message(world, pi, client_for):
    group_calendar(world)
    url = reverse("measurement-edit", kwargs={"pk": pi.pk, "period": "2025-01-01"})
    response = client_for(world.updater).post(url, {f"pi{pi.pk}-value": "95", f"pi{pi.pk}-version": "0"})
    assert response.status_code == 400
    assert "LCK01 Jan 2025 locked on 16 Feb 2025; ask a manager" in response.content.decode()
    assert not Measurement.objects.exists()


def test_the_correction_page_asks_for_the_reason_and_saves_with_it(world, pi, client_for):
    group_calendar(world)
    url = reverse("cycle-correct", kwargs={"pk": pi.pk, "period": "2025-01-01"})
    client = client_for(world.manager)
    page = client.get(url)
    assert "This period locked on 16 February 2025" in page.content.decode()
    refused = client.post(url, {f"pi{pi.pk}-value": "95", f"pi{pi.pk}-version": "0"})
    assert refused.status_code == 400
    assert "give the reason for the correction" in refused.content.decode()
    assert not Measurement.objects.exists()
    done = client.post(url, {f"pi{pi.pk}-value": "95", f"pi{pi.pk}-version": "0", f"pi{pi.pk}-reason": "Audit"})
    assert done.status_code == 302
    assert Measurement.objects.get().history.first().history_change_reason == "Audit"


def _csv(text: str):
    return io.BytesIO(text.encode())


def test_the_row_import_refuses_locked_periods_to_an_updater_naming_each_row(world, pi):
    group_calendar(world)
    this_month = open_period().isoformat()
    report = imports.import_values(
        upload=_csv(f"code,period,value\nLCK01,2025-01-01,95\nLCK01,{this_month},96\n"),
        file_name="v.csv",
        user=world.updater,
        commit=True,
        allow_copy=False,
    )
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "period", "LCK01 Jan 2025 locked on 16 Feb 2025; ask a manager or the performance team to correct it.")
    ]
    assert not Measurement.objects.exists()
    managed = imports.import_values(
        upload=_csv("code,period,value\nLCK01,2025-01-01,95\n"),
        file_name="v.csv",
        user=world.manager,
        commit=True,
        allow_copy=False,
    )
    assert managed.committed and Measurement.objects.get().value == Decimal("95")


def test_the_copy_import_steps_aside_for_locked_periods_and_the_row_check_names_them(world, pi):
    need_postgres()
    group_calendar(world)
    this_month = open_period().isoformat()
    clean = imports.import_values(
        upload=_csv(f"code,period,value\nLCK01,{this_month},96\n"), file_name="v.csv", user=world.updater, commit=True
    )
    assert (clean.method, clean.committed) == ("copy", True)
    locked = imports.import_values(
        upload=_csv("code,period,value\nLCK01,2025-01-01,95\n"), file_name="v.csv", user=world.updater, commit=True
    )
    assert locked.method == "rows"
    assert [(e.row, e.column) for e in locked.errors] == [(2, "period")]
    assert not Measurement.objects.filter(period=JAN_2025).exists()
    by_manager = imports.import_values(
        upload=_csv("code,period,value\nLCK01,2025-01-01,95\n"), file_name="v.csv", user=world.manager, commit=True
    )
    assert (by_manager.method, by_manager.committed) == ("copy", True)
