"""Risks for tests, hung off the `world` fixture's organisation."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from risks import services
from risks.models import Control, Risk, RiskCategory, RiskReview


def category(code: str = "operational", appetite: int | None = 9) -> RiskCategory:
    found, _ = RiskCategory.objects.update_or_create(
        code=code, defaults={"name": code.replace("_", " ").capitalize(), "appetite": appetite}
    )
    return found


def make_risk(code: str, *, unit, owner, current=(3, 3), inherent=(4, 4), target=(2, 2), **fields) -> Risk:
    """A saved risk (through the service, so it is checked like any other)."""
    values = {
        "title": f"Risk {code}",
        "category": fields.pop("category", None) or category(),
        "next_review_date": timezone.localdate() + datetime.timedelta(days=30),
    }
    values.update(fields)
    risk = Risk(
        code=code,
        org_unit=unit,
        owner=owner,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        current_likelihood=current[0],
        current_impact=current[1],
        target_likelihood=target[0],
        target_impact=target[1],
        **values,
    )
    return services.save_risk(risk=risk)


@dataclass
class RiskWorld:
    risk: Risk  # Rents Team, owned by charlie (line manager bob)
    other_risk: Risk  # Property directorate, owned by alice: bob does not manage it
    control: Control
    review: RiskReview


def risk_world(world) -> RiskWorld:
    """Built once per world."""
    if getattr(world, "risks", None) is not None:
        return world.risks
    risk = make_risk("R 01", unit=world.team, owner=world.updater, title="Arrears rise after benefit changes")
    other = make_risk("R 02", unit=world.other_directorate, owner=world.admin, title="Roof failures")
    control = services.save_control(
        control=Control(risk=risk, description="Weekly arrears review", owner=world.updater)
    )
    review = services.record_review(
        risk=risk,
        reviewer=world.updater,
        reviewed_on=timezone.localdate() - datetime.timedelta(days=10),
        likelihood=3,
        impact=4,
        note="Universal Credit migration under way.",
        expected_version=risk.version,
    )
    risk.refresh_from_db()
    world.risks = RiskWorld(risk, other, control, review)
    return world.risks
