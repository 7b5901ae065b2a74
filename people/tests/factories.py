"""1-2-1s and appraisals for tests, hung off the `world` fixture.

The line: bob (manager) > charlie (updater) > frank (updater); dave is charlie's peer (also
reporting to bob); erin manages the Property directorate, outside bob's line. charlie owns an
action (H 1.1 of plans' test tree), a PI with a red value and no commentary, and a risk.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from conftest import make_user
from indicators.services.latest import refresh_latest
from indicators.tests.factories import MeasurementFactory, team_indicator
from people import services
from people.models import Appraisal, Meeting
from plans.tests.factories import plan_world
from pmf import periods
from pmf.models import User
from risks.tests.factories import make_risk


@dataclass
class PeopleWorld:
    dave: User  # charlie's peer
    erin: User  # another manager, outside the line
    frank: User  # reports to charlie: bob's line is two deep
    meeting: Meeting  # charlie's open 1-2-1 with bob
    done: Meeting  # charlie's completed 1-2-1
    frank_meeting: Meeting  # frank's open 1-2-1 with charlie
    appraisal: Appraisal  # charlie's appraisal, unsigned, with one objective


def red_indicator(world, code="HM01"):
    indicator = team_indicator(world, code=code, title="Rent collected")
    month = periods.last_complete_month(datetime.date.today())
    MeasurementFactory(
        indicator=indicator, period=month, value=Decimal("85"), target=Decimal("90"), status="red", commentary=""
    )
    refresh_latest(indicator_ids=[indicator.pk])
    return indicator


def people_world(world) -> PeopleWorld:
    """Built once per world."""
    if getattr(world, "people", None) is not None:
        return world.people
    plans = plan_world(world)
    dave = make_user("dave", "updater", world.team, name="Dave Peer", line_manager=world.manager)
    erin = make_user("erin", "manager", world.other_directorate, name="Erin Elsewhere")
    frank = make_user("frank", "updater", world.team, name="Frank Junior", line_manager=world.updater)
    red_indicator(world)
    make_risk("R 01", unit=world.team, owner=world.updater, title="Arrears rise after benefit changes")
    today = datetime.date.today()
    done = services.start_meeting(manager=world.manager, person=world.updater, held_on=today)
    services.complete_meeting(meeting=done, user=world.manager)
    meeting = services.start_meeting(manager=world.manager, person=world.updater, held_on=today)
    frank_meeting = services.start_meeting(manager=world.updater, person=frank, held_on=today)
    appraisal = services.start_appraisal(manager=world.manager, person=world.updater, year=2026)
    services.add_objective(appraisal=appraisal, user=world.manager, title="Cut arrears", plan_item=plans.action)
    world.people = PeopleWorld(dave, erin, frank, meeting, done, frank_meeting, appraisal)
    return world.people
