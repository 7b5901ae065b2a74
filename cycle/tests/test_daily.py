"""The daily job: what it raises on which day, once; catching up; escalation; who gets mail."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from conftest import make_user
from cycle import services
from cycle.locks import lease
from cycle.models import DailyRun, Digest, DigestPreference, Kind, Notification
from cycle.tests.factories import day, group_calendar
from indicators import services as pi_services
from indicators.tests.factories import MeasurementFactory, team_indicator
from plans.models import PlanItem
from plans.tests.factories import item
from pmf import registry

JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def pis(world):
    """Two monthly PIs of the Rents Team entered by charlie and owned by bob, none entered for Jan."""
    return [
        team_indicator(world, code="INC01", title="Rent collected"),
        team_indicator(world, code="INC02", title="Arrears over 8 weeks"),
    ]


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_nothing_is_raised_before_the_reminder_lead_days(world, pis):
    services.run_daily(today=day("2026-02-10"))  # values due on the 14th, first reminder on the 11th
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_missing_values_are_reminded_once_from_the_lead_day_and_again_once_overdue(world, pis):
    services.run_daily(today=day("2026-02-11"))
    assert kinds(world.updater) == ["values_due", "values_due"]
    assert [m.to for m in mail.outbox] == [["charlie@example.org"]]
    assert mail.outbox[0].subject == "2 performance reminders for Wednesday 11 February"
    services.run_daily(today=day("2026-02-12"))
    services.run_daily(today=day("2026-02-14"))
    assert kinds(world.updater) == ["values_due", "values_due"]
    assert len(mail.outbox) == 1
    services.run_daily(today=day("2026-02-15"))
    assert kinds(world.updater) == ["values_due", "values_due", "values_overdue", "values_overdue"]
    titles = sorted(Notification.objects.filter(kind=Kind.VALUES_OVERDUE).values_list("title", flat=True))
    assert titles == [
        "INC01 Rent collected for Jan 2026 was due on Sat 14 Feb",
        "INC02 Arrears over 8 weeks for Jan 2026 was due on Sat 14 Feb",
    ]
    assert len(mail.outbox) == 2


def test_the_same_day_run_twice_sends_each_reminder_once(world, pis):
    first = services.run_daily(today=day("2026-02-12"))
    second = services.run_daily(today=day("2026-02-12"))
    assert (first.notifications, first.sent) == (2, 1)
    assert (second.days, second.notifications, second.sent) == ([], 0, 0)
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1
    assert Digest.objects.get().status == Digest.Status.SENT


def test_a_value_entered_before_the_reminder_is_not_chased(world, pis):
    pi_services.measurement_update(indicator=pis[0], period=JAN, value=Decimal("95"), user=world.updater)
    services.run_daily(today=day("2026-02-12"))
    assert list(Notification.objects.filter(recipient=world.updater).values_list("title", flat=True)) == [
        "Enter INC02 Arrears over 8 weeks for Jan 2026: due Sat 14 Feb"
    ]
    assert Notification.objects.get(recipient=world.manager).title == (
        "Approve INC01 Rent collected for Jan 2026: due Sun 15 Feb"
    )


def test_missed_days_are_caught_up_in_order_each_once(world, pis):
    services.run_daily(today=day("2026-02-10"))
    outcome = services.run_daily(today=day("2026-02-13"))
    assert outcome.days == [day("2026-02-11"), day("2026-02-12"), day("2026-02-13")]
    assert list(DailyRun.objects.order_by("day").values_list("day", "notifications")) == [
        (day("2026-02-10"), 0),
        (day("2026-02-11"), 2),
        (day("2026-02-12"), 0),
        (day("2026-02-13"), 0),
    ]
    # the reminders of the missed days go in one digest, the day's
    assert len(mail.outbox) == 1


def test_a_second_runner_stops_while_the_first_holds_the_lease(world, pis):
    with lease(services.DAILY_LEASE) as held:
        assert held.acquired
        assert services.run_daily(today=day("2026-02-12")) is None
    assert Notification.objects.count() == 0
    assert services.run_daily(today=day("2026-02-12")).notifications == 2


def test_calendar_moves_the_deadline_and_its_reminders(world, pis):
    group_calendar(world, values_due_day=18, approvals_due_day=18, scorecards_day=19, reminder_lead_days=1)
    services.run_daily(today=day("2026-02-16"))
    assert Notification.objects.count() == 0
    services.run_daily(today=day("2026-02-17"))
    assert Notification.objects.first().title == "Enter INC02 Arrears over 8 weeks for Jan 2026: due Wed 18 Feb"


def test_line_manager_hears_after_n_days_and_director_and_performance_team_after_m(world, pis):
    director = make_user("dina", "manager", world.directorate, name="Dina Director")
    group_calendar(world, escalate_manager_after_days=2, escalate_director_after_days=5)
    services.run_daily(today=day("2026-02-15"))
    assert not Notification.objects.filter(kind__startswith="escalation").exists()
    services.run_daily(today=day("2026-02-16"))
    escalation = Notification.objects.get(kind=Kind.ESCALATION_MANAGER)
    assert (escalation.recipient, escalation.subject) == (world.manager, world.updater)
    assert escalation.title == "Charlie Updater is behind on Jan 2026: 2 values missing"
    services.run_daily(today=day("2026-02-19"))
    assert sorted(
        Notification.objects.filter(kind=Kind.ESCALATION_DIRECTOR).values_list("recipient__username", flat=True)
    ) == ["alice", "bob", "dina"]
    # bob manages the Housing directorate himself, so he hears as its director too
    assert Notification.objects.filter(kind__startswith="escalation").count() == 4
    assert director.notifications.get().title == "Still behind: Charlie Updater is behind on Jan 2026: 2 values missing"


def test_a_person_without_a_line_manager_is_escalated_to_the_performance_team(world, pis):
    world.updater.line_manager = None
    world.updater.save()
    services.run_daily(today=day("2026-02-17"))
    escalation = Notification.objects.get(kind=Kind.ESCALATION_MANAGER)
    assert escalation.recipient == world.admin
    assert escalation.title == (
        "Charlie Updater is behind on Jan 2026: 2 values missing "
        "(Charlie Updater has no line manager, so this comes to the performance team)"
    )


def test_inactive_people_are_not_chased_and_get_no_mail(world, pis):
    world.updater.is_active = False
    world.updater.save()
    services.run_daily(today=day("2026-02-12"))
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_person_without_an_email_address_keeps_the_reminders_in_the_app(world, pis):
    world.updater.email = ""
    world.updater.save()
    outcome = services.run_daily(today=day("2026-02-12"))
    assert (outcome.sent, outcome.skipped) == (0, 1)
    digest = Digest.objects.get()
    assert (digest.status, digest.error) == (Digest.Status.SKIPPED, "Not sent: the person has no e-mail address.")
    assert Notification.objects.filter(recipient=world.updater, emailed_at__isnull=True).count() == 2
    assert mail.outbox == []


def test_red_values_without_commentary_and_values_to_approve_are_chased(world, pis):
    MeasurementFactory(indicator=pis[0], period=JAN, value=Decimal("70"), target=Decimal("90"), status="red")
    MeasurementFactory(indicator=pis[1], period=JAN, value=Decimal("95"), status="green", cause="")
    services.run_daily(today=day("2026-02-12"))
    assert kinds(world.updater) == ["red_commentary"]
    assert kinds(world.manager) == ["approval_due", "approval_due"]
    assert Notification.objects.get(kind=Kind.RED_COMMENTARY).title == (
        "INC01 Rent collected is red for Jan 2026: add the cause, action and recovery date"
    )


def test_actions_due_soon_overdue_and_without_updates(world):
    today = day("2026-02-12")
    item("A 1", unit=world.team, assigned_to=world.updater, due_date=day("2026-02-17"), title="Due soon")
    late = item("A 2", unit=world.team, assigned_to=world.updater, due_date=day("2026-02-01"), title="Late")
    PlanItem.objects.filter(pk=late.pk).update(status="overdue")
    quiet = item("A 3", unit=world.team, managed_by=world.manager, due_date=day("2026-06-30"), title="Quiet")
    PlanItem.objects.filter(pk=quiet.pk).update(created_at=datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC))
    services.run_daily(today=today)
    assert sorted(Notification.objects.values_list("recipient__username", "title")) == [
        ("bob", "Action A 3 Quiet has had no progress update since 1 Dec 2025"),
        ("charlie", "Action A 1 Due soon is due on Tue 17 Feb 2026"),
        ("charlie", "Action A 2 Late is overdue (due 1 Feb 2026)"),
    ]


def test_weekly_digest_holds_optional_reminders_but_never_deadlines(world, pis):
    DigestPreference.objects.create(user=world.updater, frequency="weekly", weekday=0)  # Mondays
    item("A 1", unit=world.team, assigned_to=world.updater, due_date=day("2026-02-17"), title="Due soon")
    services.run_daily(today=day("2026-02-12"))  # a Thursday
    assert mail.outbox[0].body.count("\n- ") == 2  # the two values, not the action
    assert Notification.objects.get(kind=Kind.ACTION_DUE).digest is None
    services.run_daily(today=day("2026-02-16"))  # Monday
    assert "Action A 1 Due soon is due on Tue 17 Feb 2026" in mail.outbox[-1].body
    assert Notification.objects.get(kind=Kind.ACTION_DUE).emailed_at is not None


def test_a_module_plugs_its_dated_work_in_through_the_chase_sources(world, pis):
    def reviews(*, today, within_days):
        return [
            registry.ChaseItem(
                person_id=world.updater.pk,
                unit_id=world.team.pk,
                model="risks.risk",
                object_id=7,
                title="R 07 Rent arrears rise",
                url="/risks/7/",
                due=day("2026-02-10"),
                overdue=today > day("2026-02-10"),
            )
        ]

    source = registry.ChaseSource("risk_review", "Risk reviews", "Reviews overdue", items=reviews, order=30)
    registry.CHASE_SOURCES.register(source)
    try:
        services.run_daily(today=day("2026-02-12"))
    finally:
        registry.CHASE_SOURCES.remove(source)
    review = Notification.objects.get(kind="risk_review")
    assert (review.recipient, review.title, review.url) == (
        world.updater,
        "Risk reviews: R 07 Rent arrears rise, overdue since 10 Feb 2026",
        "/risks/7/",
    )
    assert "Risk reviews:\n- Risk reviews: R 07 Rent arrears rise" in mail.outbox[0].body
