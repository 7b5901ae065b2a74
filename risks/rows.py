"""What the pages show of a risk beside its own fields: its bands, appetite state, movement, review
state and key risk indicators. Built for a whole list at once, in a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from indicators.models import Indicator, Measurement
from pmf import periods
from risks import status as rules
from risks.models import Risk

KRI_PERIODS = 3  # the latest value and the two before it: enough to see two periods of worsening


@dataclass
class Kri:
    """A key risk indicator of a risk: the PI with its latest status and trend, and its signal."""

    indicator: Indicator
    signal: str | None
    visible: bool = True

    @property
    def signal_label(self) -> str:
        return rules.SIGNAL_LABELS.get(self.signal, "")


@dataclass
class RiskRow:
    risk: Risk
    bands: dict[str, rules.Band | None]
    appetite: str
    overdue: bool
    review_suggested: bool
    kris: list[Kri] = field(default_factory=list)

    @property
    def current_band(self) -> rules.Band | None:
        return self.bands["current"]

    @property
    def movement(self) -> str:
        return self.risk.movement


def _wanted_periods(indicator: Indicator) -> list[datetime.date]:
    """The periods whose values decide INDICATOR's signal: its latest and the KRI_PERIODS - 1
    before it, newest first (none before it has a value)."""
    if indicator.latest_period is None:
        return []
    return [periods.add_months(indicator.latest_period, -indicator.step() * back) for back in range(KRI_PERIODS)]


def _recent_values(indicators: dict[int, Indicator]) -> dict[int, dict[datetime.date, object]]:
    """The values of each PI for its _wanted_periods (one query through the (PI, period) index)."""
    wanted = {pk: set(_wanted_periods(indicator)) for pk, indicator in indicators.items()}
    all_periods = set().union(*wanted.values()) if wanted else set()
    if not all_periods:
        return {}
    rows = (
        Measurement.objects.filter(
            indicator_id__in=[pk for pk, found in wanted.items() if found],
            period__in=sorted(all_periods),
            value__isnull=False,
        )
        .order_by()
        .values_list("indicator_id", "period", "value")
    )
    found = defaultdict(dict)
    for indicator_id, period, value in rows:
        if period in wanted[indicator_id]:
            found[indicator_id][period] = value
    return found


def signal_of(indicator: Indicator, values_by_period: dict) -> str | None:
    """rules.kri_signal for INDICATOR, its values lined up on its consecutive latest periods."""
    recent = [values_by_period.get(period) for period in _wanted_periods(indicator)]
    return rules.kri_signal(status=indicator.latest_status, recent_values=recent, polarity=indicator.polarity)


def kris_of(risks: list[Risk], user=None) -> dict[int, list[Kri]]:
    """The key risk indicators of RISKS with their signals, by risk id (three queries at most).

    Every linked PI counts towards the flag; with USER, each is marked whether USER may open it."""
    risk_ids = [risk.pk for risk in risks]
    if not risk_ids:
        return {}
    links = list(
        Risk.indicators.through.objects.filter(risk_id__in=risk_ids)
        .select_related("indicator")
        .order_by("indicator__code")
    )
    indicators = {link.indicator_id: link.indicator for link in links}
    values = _recent_values(indicators)
    visible = set(indicators)
    if user is not None and indicators:
        visible = set(Indicator.objects.visible_to(user).filter(pk__in=list(indicators)).values_list("pk", flat=True))
    signals = {pk: signal_of(indicator, values.get(pk, {})) for pk, indicator in indicators.items()}
    found = defaultdict(list)
    for link in links:
        found[link.risk_id].append(Kri(link.indicator, signals[link.indicator_id], link.indicator_id in visible))
    return found


def rows_for(risks: list[Risk], matrix: rules.Matrix, *, today: datetime.date, user=None) -> list[RiskRow]:
    """A RiskRow for each of RISKS (loaded with their category), in the same order."""
    kris = kris_of(risks, user)
    rows = []
    for risk in risks:
        risk_kris = kris.get(risk.pk, [])
        signals = [
            (
                kri.signal,
                timezone.localdate(kri.indicator.latest_updated_at) if kri.indicator.latest_updated_at else None,
            )
            for kri in risk_kris
        ]
        rows.append(
            RiskRow(
                risk=risk,
                bands={position: matrix.band(*risk.position(position)) for position in rules.POSITIONS},
                appetite=rules.appetite_state(
                    score=risk.score_of("current"),
                    appetite=risk.category.appetite,
                    accepted_until=risk.accepted_until,
                    accepted_score=risk.accepted_score,
                    today=today,
                ),
                overdue=rules.is_review_overdue(next_review=risk.next_review_date, today=today, is_open=risk.is_open),
                review_suggested=risk.is_open
                and rules.review_suggested(signals=signals, last_reviewed_on=risk.last_reviewed_on),
                kris=risk_kris,
            )
        )
    return rows
