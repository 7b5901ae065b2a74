"""Writes on the risk register. Every service is keyword-only and atomic, and checks its input
against the rules of risks.status before writing anything: a refusal is a ValidationError keyed
on the field that is wrong, and nothing is saved.

Saving a risk or re-scoring it claims the version the editor loaded; when someone else saved in
between, pmf.locking.EditConflict is raised and nothing is written (the second person is told,
the first person's change is kept).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from plans import services as plan_services
from plans.models import PlanItem
from pmf.locking import EditConflict
from risks import status as rules
from risks.matrix import load_matrix
from risks.models import Control, Risk, RiskAcceptance, RiskCategory, RiskReview


def today() -> datetime.date:
    return timezone.localdate()


def _claim_version(risk: Risk, expected_version: int | None) -> None:
    """Bump RISK's version if it still is EXPECTED_VERSION; raise EditConflict otherwise."""
    if expected_version is None:
        expected_version = risk.version
    claimed = Risk.objects.filter(pk=risk.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        current = Risk.objects.filter(pk=risk.pk).values_list("version", flat=True).first()
        raise EditConflict(
            f"{risk.code} was changed by someone else after you opened it (version {expected_version}, now "
            f"{current if current is not None else 'deleted'}). Reload the page to see their change, then make "
            "yours again if it is still needed.",
            instance=risk,
        )
    risk.version = expected_version + 1


def _merge(errors: dict[str, list[str]], extra: dict[str, str]) -> dict[str, list[str]]:
    """ERRORS with the rule messages of EXTRA in place of the generic ones for the same field."""
    merged = dict(errors)
    for name, message in extra.items():
        merged[name] = [message]
    return merged


def risk_errors(risk: Risk, matrix: rules.Matrix) -> dict[str, list[str]]:
    """Every reason RISK cannot be saved, keyed on the field (model checks and the score rules)."""
    try:
        risk.full_clean(exclude=["version", "next_review_date"])
        errors = {}
    except ValidationError as exc:
        errors = exc.message_dict
    return _merge(errors, matrix.errors(risk.positions))


@transaction.atomic
def save_risk(
    *,
    risk: Risk,
    expected_version: int | None = None,
    objectives=None,
    actions=None,
    indicators=None,
    on: datetime.date | None = None,
) -> Risk:
    """Create RISK or save the changes made to it.

    Refused (ValidationError naming the field) when a likelihood or impact is off the matrix, the
    target score is above the current score, the parent would make a loop, or a model rule fails.
    For an existing risk EXPECTED_VERSION is the version the editor loaded (EditConflict if
    someone saved since). OBJECTIVES, ACTIONS and INDICATORS (optional) replace the threatened
    objectives, mitigating actions and key risk indicators.
    Side effects: one history row; version bumped; the next review date worked out from the last
    review (or ON, default today) and the frequency when it is blank."""
    errors = risk_errors(risk, load_matrix())
    if errors:
        raise ValidationError(errors)
    if risk.next_review_date is None:
        risk.next_review_date = rules.next_review_date(
            reviewed_on=risk.last_reviewed_on or on or today(), frequency_months=risk.review_frequency
        )
    if risk.parent_id:
        # MPTT places the node from the parent's tree numbers, which other saves may have shifted.
        risk.parent.refresh_from_db(fields=["lft", "rght", "tree_id", "level"])
    if risk.pk:
        _claim_version(risk, expected_version)
    risk.save()
    for relation, chosen in (("objectives", objectives), ("actions", actions), ("indicators", indicators)):
        if chosen is not None:
            getattr(risk, relation).set(chosen)
    return risk


@transaction.atomic
def record_review(
    *,
    risk: Risk,
    reviewer,
    reviewed_on: datetime.date | None,
    likelihood: int | None,
    impact: int | None,
    note: str,
    expected_version: int,
    on: datetime.date | None = None,
) -> RiskReview:
    """Record a dated re-score of RISK's current position by REVIEWER.

    Refused (ValidationError naming the field) when a level is off the matrix, the date is after
    today (ON) or before the last review, or the new current score would fall below the target.
    EditConflict when the risk changed since EXPECTED_VERSION (for instance someone else's
    re-score): nothing is written.
    Side effects: a RiskReview (history row) keeping the band of the day and the score before;
    the risk's current likelihood and impact, previous score, last and next review dates
    (REVIEWED_ON plus the review frequency) saved with one history row; version bumped."""
    on = on or today()
    matrix = load_matrix()
    errors = {}
    found = matrix.errors({"current": (likelihood, impact), "target": risk.position("target")})
    for name in ("likelihood", "impact"):
        if f"current_{name}" in found:
            errors[name] = found[f"current_{name}"]
    if "target_likelihood" in found:
        errors["likelihood"] = (
            f"A current score of {likelihood} × {impact} = {rules.score(likelihood, impact)} would be below the "
            f"target score of {risk.score_of('target')}; lower the target on the risk first."
        )
    if message := rules.review_date_error(reviewed_on=reviewed_on, today=on, last_reviewed_on=risk.last_reviewed_on):
        errors["reviewed_on"] = message
    if errors:
        raise ValidationError(errors)
    _claim_version(risk, expected_version)
    previous = risk.score_of("current")
    band = matrix.band(likelihood, impact)
    review = RiskReview.objects.create(
        risk=risk,
        reviewed_on=reviewed_on,
        reviewer=reviewer,
        likelihood=likelihood,
        impact=impact,
        score=rules.score(likelihood, impact),
        previous_score=previous,
        band_name=band.name,
        band_colour=band.colour,
        band_shape=band.shape,
        note=note,
    )
    risk.current_likelihood, risk.current_impact = likelihood, impact
    risk.previous_score = previous
    risk.last_reviewed_on = reviewed_on
    risk.next_review_date = rules.next_review_date(reviewed_on=reviewed_on, frequency_months=risk.review_frequency)
    risk._change_reason = f"Reviewed on {reviewed_on:%d %b %Y}"
    risk.save()
    del risk._change_reason  # the reason belongs to this save only
    return review


@transaction.atomic
def accept_risk(
    *,
    risk: Risk,
    user,
    reason: str,
    until: datetime.date | None,
    expected_version: int,
    on: datetime.date | None = None,
) -> RiskAcceptance:
    """Record that USER (a manager or admin) tolerates RISK above its category's appetite until
    UNTIL, at its current score.

    Refused (ValidationError naming the field) when the risk is within appetite, UNTIL is not
    after today (ON), or no reason is given. EditConflict when the risk changed since
    EXPECTED_VERSION.
    Side effects: a RiskAcceptance (history row); the risk's accepted-until date and accepted score
    saved with one history row; version bumped. When UNTIL passes, or the score rises above the
    accepted one, the risk is flagged above appetite again (nothing needs to run for that)."""
    on = on or today()
    score = risk.score_of("current")
    appetite = risk.category.appetite
    errors = rules.acceptance_errors(score=score, appetite=appetite, until=until, reason=reason, today=on)
    if errors:
        raise ValidationError(errors)
    _claim_version(risk, expected_version)
    acceptance = RiskAcceptance.objects.create(
        risk=risk, accepted_by=user, reason=reason.strip(), until=until, score=score, appetite=appetite
    )
    risk.accepted_until, risk.accepted_score = until, score
    risk._change_reason = f"Accepted above appetite until {until:%d %b %Y}"
    risk.save()
    del risk._change_reason  # the reason belongs to this save only
    return acceptance


@transaction.atomic
def save_control(*, control: Control) -> Control:
    """Create CONTROL or save the changes made to it.

    Refused (ValidationError naming the field) without a description or an owner, or with a last
    tested date in the future. Side effects: one history row."""
    control.full_clean()
    control.save()
    return control


@transaction.atomic
def delete_control(*, control: Control) -> None:
    """Remove CONTROL from its risk. Side effects: a deletion history row."""
    control.delete()


@transaction.atomic
def create_mitigating_action(
    *, risk: Risk, objective: PlanItem, code: str, title: str, due_date: datetime.date | None, assigned_to
) -> PlanItem:
    """Create a plan action under OBJECTIVE that mitigates RISK, in the risk's unit and managed by
    its owner.

    Refused (ValidationError naming the field) when OBJECTIVE is not an objective or a plan rule
    fails (e.g. the code is taken).
    Side effects: the PlanItem (history row, derived progress and status of its chain refreshed
    by the plans service); the action linked to RISK as a mitigation."""
    if objective.kind != PlanItem.Kind.OBJECTIVE:
        raise ValidationError({"objective": f"{objective.code} is not an objective; choose the objective it serves."})
    action = PlanItem(
        kind=PlanItem.Kind.ACTION,
        parent=objective,
        code=code,
        title=title,
        org_unit=risk.org_unit,
        managed_by=risk.owner,
        assigned_to=assigned_to,
        due_date=due_date,
        description=f"Mitigates risk {risk.code} {risk.title}.",
    )
    plan_services.save_item(item=action)
    risk.actions.add(action)
    return action


@transaction.atomic
def ensure_default_categories() -> dict[str, RiskCategory]:
    """The categories of rules.DEFAULT_CATEGORIES by code, created where missing (an admin's
    changes to existing ones are kept). Side effects: a history row for each category created."""
    categories = {category.code: category for category in RiskCategory.objects.all()}
    for order, (code, name, appetite, statement) in enumerate(rules.DEFAULT_CATEGORIES, start=1):
        if code not in categories:
            categories[code] = RiskCategory.objects.create(
                code=code, name=name, appetite=appetite, statement=statement, order=order
            )
    return categories
