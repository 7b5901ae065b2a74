"""Requests that meet at the same moment, each in its own PostgreSQL connection: the second is told
(a 409 with the saved value) or the rows end as one, never a server error or a duplicate.

Each test holds the first writer's transaction open in the test's own connection until the second
request, in a thread, is waiting for that writer's lock; then commits. So the order is always the
same and the second request always meets a value it could not see when it started."""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from indicators.models import Measurement
from indicators.tests.factories import team_indicator
from plans.models import PlanItem
from pmf.tests.services import need_postgres
from scorecards.models import ScorecardEdition
from scorecards.tests.factories import PERIOD, make_scorecard

pytestmark = pytest.mark.django_db(transaction=True)

JAN = datetime.date(2025, 1, 1)


def _waiting_for_locks() -> int:
    """Other sessions of this database waiting for a lock now (snapshot cleared: see
    indicators/tests/test_concurrency.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


class Request(threading.Thread):
    """One POST as USER in its own thread (so its own connection); keeps the response or error."""

    def __init__(self, user, url, data):
        super().__init__()
        self.user, self.url, self.data = user, url, data
        self.response = self.error = None

    def run(self):
        try:
            client = Client(raise_request_exception=True)
            client.force_login(self.user)
            self.response = client.post(self.url, self.data)
        except Exception as exc:  # reported by the test thread
            self.error = exc
        finally:
            connection.close()


def _hold_until_waiting(requests, waiting=1):
    """Start REQUESTS and return once WAITING of them wait for a lock this transaction holds."""
    for request in requests:
        request.start()
    deadline = time.monotonic() + 20
    while _waiting_for_locks() < waiting:
        assert all(request.error is None for request in requests), [request.error for request in requests]
        assert time.monotonic() < deadline, "the second request never reached the lock"
        time.sleep(0.05)


def _join(requests):
    for request in requests:
        request.join(timeout=30)
        assert request.error is None, request.error


def test_two_first_saves_of_the_same_value_the_second_is_told_and_sees_the_first(world):
    need_postgres()
    indicator = team_indicator(world, code="RENT1")
    url = reverse("measurement-edit", kwargs={"pk": indicator.pk, "period": JAN.isoformat()})
    second = Request(world.updater, url, {f"pi{indicator.pk}-value": "95", f"pi{indicator.pk}-version": "0"})
    with transaction.atomic():
        Measurement.objects.create(
            indicator=indicator, period=JAN, value=D("91.5"), target=D("90"), status="green", version=1
        )
        _hold_until_waiting([second])
    _join([second])
    assert second.response.status_code == 409
    page = second.response.content.decode()
    assert "was changed by" in page and "your entry was not saved" in page and "91.5" in page
    assert list(Measurement.objects.filter(indicator=indicator).values_list("value", flat=True)) == [D("91.5")]


@pytest.mark.parametrize("file_name", ["values.csv", "values.xlsx"])
def test_an_import_meeting_a_value_saved_meanwhile_names_the_row_and_imports_nothing(world, file_name):
    """A CSV goes through the set-based path (indicators.bulkload), a workbook row by row: both
    write a row only as they checked it, so the value saved meanwhile is kept and its row named."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pmf.spreadsheets import to_xlsx

    need_postgres()
    indicator = team_indicator(world, code="RENT2")
    other = team_indicator(world, code="RENT3")
    rows = [["code", "period", "value", "target", "commentary"], ["RENT3", "2025-01", "70", "", ""]]
    rows.append(["RENT2", "2025-01", "93", "", ""])
    if file_name.endswith(".csv"):
        data = "\n".join(",".join(row) for row in rows).encode() + b"\n"
    else:
        data = to_xlsx(rows, "values")
    upload = SimpleUploadedFile(file_name, data)
    second = Request(world.manager, reverse("indicator-import"), {"kind": "values", "file": upload, "commit": "on"})
    with transaction.atomic():
        Measurement.objects.create(
            indicator=indicator, period=JAN, value=D("80"), target=D("90"), status="red", version=1
        )
        _hold_until_waiting([second])
    _join([second])
    assert second.response.status_code == 400
    assert [(error.row, error.column, error.reason) for error in second.response.context["report"].errors] == [
        (
            3,
            "value",
            "A value for RENT2 2025-01 was saved by someone else while this import ran, so nothing was imported; "
            "check the row and import the file again.",
        )
    ]
    saved = Measurement.objects.get(indicator=indicator, period=JAN)
    assert (saved.value, saved.version) == (D("80"), 1)
    assert not Measurement.objects.filter(indicator=other).exists()


def test_concurrent_progress_updates_on_one_action_answer_409_like_the_edit_form(world):
    from plans.tests.factories import plan_world

    need_postgres()
    action = plan_world(world).action
    url = reverse("progress-create", kwargs={"pk": action.pk})
    second = Request(world.updater, url, {"progress": "60", "outcome": "in_progress", "note": "Second"})
    with transaction.atomic():
        PlanItem.objects.filter(pk=action.pk).update(version=action.version + 1, progress=40)
        _hold_until_waiting([second])
    _join([second])
    assert second.response.status_code == 409
    assert "H 1.1 was changed by someone else after you opened it" in second.response.content.decode()
    assert not action.updates.exists()


def test_an_edition_issued_twice_at_once_is_one_edition(world):
    need_postgres()
    indicator = team_indicator(world, code="RENT3")
    scorecard = make_scorecard(world.directorate, [indicator], owner=world.manager)
    url = reverse("edition-issue", kwargs={"pk": scorecard.pk})
    month = PERIOD.strftime("%Y-%m")
    requests = [Request(world.manager, url, {"period": month}), Request(world.admin, url, {"period": month})]
    for request in requests:
        request.start()
    _join(requests)
    assert [request.response.status_code for request in requests] == [302, 302]
    assert ScorecardEdition.objects.filter(scorecard=scorecard, period=PERIOD).count() == 1


def test_two_people_adding_the_same_pi_to_a_scorecard_at_once_leave_it_there_once(world):
    need_postgres()
    first = team_indicator(world, code="RENT4")
    scorecard = make_scorecard(world.directorate, [first], owner=world.manager)
    second_pi = team_indicator(world, code="RENT5")
    section = scorecard.sections.first()
    url = reverse("scorecard-arrange", kwargs={"pk": scorecard.pk})
    data = {"action": "add-pis", "section": str(section.pk), "codes": second_pi.code}
    requests = [Request(world.manager, url, data), Request(world.admin, url, data)]
    for request in requests:
        request.start()
    _join(requests)
    assert [request.response.status_code for request in requests] == [302, 302]
    assert scorecard.entries.filter(indicator=second_pi).count() == 1
