"""Saves that run at the same moment, each in its own connection (PostgreSQL only)."""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from indicators import services
from indicators.models import Indicator, Measurement
from indicators.tests.factories import IndicatorFactory, team_indicator
from pmf.tests.services import need_postgres

pytestmark = pytest.mark.django_db(transaction=True)

JAN = datetime.date(2025, 1, 1)


def _waiting_for_locks() -> int:
    """How many other sessions of this database are waiting for a lock now.

    Inside a transaction PostgreSQL answers pg_stat_activity from a snapshot taken at its first
    read, so the snapshot is cleared before each look; without that the caller, which holds a
    transaction open, would see the sessions as they were before the saves began, for ever."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _save_in_own_connection(indicator: Indicator, value: D, user, failures: list) -> None:
    try:
        services.measurement_update(indicator=indicator, period=JAN, value=value, user=user)
    except Exception as exc:  # reported by the test, which runs in another thread
        failures.append(exc)
    finally:
        connection.close()


def test_inputs_saved_at_the_same_moment_leave_the_calculated_value_matching_both(world):
    need_postgres()
    arrears = team_indicator(world, code="ARR", unit="number", polarity="data")
    debit = team_indicator(world, code="DEB", unit="number", polarity="data")
    share = IndicatorFactory(
        code="ARR_PCT", org_unit=world.team, owner=world.manager, polarity="data", formula="ARR / DEB * 100"
    )
    services.measurement_update(indicator=arrears, period=JAN, value=D("100"), user=world.updater)
    services.measurement_update(indicator=debit, period=JAN, value=D("200"), user=world.updater)
    assert Measurement.objects.get(indicator=share, period=JAN).value == D("50")

    failures: list = []
    saves = [
        threading.Thread(target=_save_in_own_connection, args=(arrears, D("300"), world.updater, failures)),
        threading.Thread(target=_save_in_own_connection, args=(debit, D("600"), world.updater, failures)),
    ]
    # Holding the calculated PI's row keeps either save from committing (each refreshes that
    # row's latest value last). Only once both are waiting on a lock (the first on this row, the
    # other on the recalculation lock; without that lock, on the calculated measurement the first
    # one wrote, after reading the old inputs) is the row let go, so the order is always the same.
    with transaction.atomic():
        Indicator.objects.select_for_update(no_key=True).get(pk=share.pk)
        for save in saves:
            save.start()
        deadline = time.monotonic() + 20
        while _waiting_for_locks() < 2:
            assert failures == [], failures
            assert time.monotonic() < deadline, "the two saves never both reached their locks"
            time.sleep(0.05)
    for save in saves:
        save.join(timeout=20)

    assert failures == []
    values = dict(Measurement.objects.filter(period=JAN).values_list("indicator__code", "value"))
    assert values == {"ARR": D("300"), "DEB": D("600"), "ARR_PCT": D("50")}
    share.refresh_from_db()
    assert share.latest_value == D("50")
