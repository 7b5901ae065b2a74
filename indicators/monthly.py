"""The monthly update: which PIs are due from a person for a reporting month, and reading the form.

When values are due is the reporting calendar's rule (`cycle.calendar`): each organisation's
calendar, else its group's, else the built-in day (the 14th)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from cycle import calendar
from indicators import entry as entry_rules
from indicators import rules, services
from indicators.models import Indicator, Measurement, target_in_force
from pmf import periods
from pmf.registry import issued_periods


def reporting_month(today: datetime.date) -> datetime.date:
    """Values for a month are entered in the following month, so the month being reported is last month."""
    return periods.last_complete_month(today)


def deadline(month: datetime.date, *, unit=None) -> datetime.date:
    """When values for MONTH are due from people in UNIT (by the built-in calendar without one)."""
    return calendar.deadline(month, unit=unit)


def due_period(indicator: Indicator, month: datetime.date) -> datetime.date | None:
    """The period of INDICATOR that ends with MONTH, or None when it has no period ending then."""
    next_month = periods.add_months(month, 1)
    if indicator.frequency == Indicator.Frequency.MONTHLY:
        return month
    if indicator.period_for(next_month) == next_month:
        return indicator.period_for(month)
    return None


def due_periods(month: datetime.date) -> dict[str, datetime.date]:
    """{frequency: period} for each frequency with a period ending in MONTH (monthly always;
    quarterly after a quarter's last month; annual after the year's last month)."""
    found = {}
    for frequency in Indicator.Frequency.values:
        period = due_period(Indicator(frequency=frequency), month)
        if period is not None:
            found[frequency] = period
    return found


class RowErrors(dict):
    """A row's errors by field; a field without one reads as "" (the page asks after every field of
    every row, and a missing key is a slow failed lookup in a template)."""

    def __missing__(self, key):
        return ""


@dataclass
class Row:
    indicator: Indicator
    period: datetime.date
    measurement: Measurement | None
    previous: Measurement | None
    target: object
    entered: dict = field(default_factory=dict)
    errors: dict = field(default_factory=RowErrors)
    # The period's value has been issued in a scorecard edition: a change shows as a restatement.
    issued: bool = False
    # Width of the amber band around the target, for the status preview as a value is typed.
    band: object = None

    @property
    def prefix(self) -> str:
        return f"pi{self.indicator.pk}"

    @property
    def is_missing(self) -> bool:
        return self.measurement is None or self.measurement.value is None

    @property
    def is_locked(self) -> bool:
        return self.measurement is not None and self.measurement.is_approved

    @property
    def version(self) -> int:
        return self.measurement.version if self.measurement else 0

    @property
    def saved_status(self) -> str | None:
        """The saved value's status (None before a value is saved): read once per row by the page."""
        return self.measurement.status if self.measurement else None

    @property
    def data(self) -> dict:
        """What each input shows: what the person typed, else the saved value."""
        return {name: self.initial(name) for name in FIELDS}

    def initial(self, name: str) -> str:
        if name in self.entered:
            return self.entered[name]
        return _shown(self, name)


def amber_band(indicator: Indicator, target, in_force) -> object:
    """The amber band around TARGET that a value is coloured with (`services.colour`): the tolerance
    of the target IN_FORCE (a TargetPeriod), else the PI's own; None without a target."""
    if target is None:
        return None
    kind, tolerance = (
        (in_force.tolerance_kind, in_force.tolerance) if in_force else (indicator.tolerance_kind, indicator.tolerance)
    )
    return rules.tolerance_band(target, tolerance, kind)


def due_rows(*, user, month: datetime.date, indicators=None) -> list[Row]:
    """One row per active PI assigned to USER with a period ending in MONTH (four queries)."""
    if indicators is None:
        indicators = Indicator.objects.due_for(user)
    indicators = [
        ind for ind in indicators.select_related("org_unit").order_by("code") if due_period(ind, month) is not None
    ]
    if not indicators:
        return []
    wanted = {}
    for indicator in indicators:
        period = due_period(indicator, month)
        wanted[indicator.pk] = (period, periods.add_months(period, -indicator.step()))
    all_periods = {p for pair in wanted.values() for p in pair}
    found = {
        (m.indicator_id, m.period): m
        for m in Measurement.objects.filter(indicator__in=indicators, period__in=all_periods).select_related(
            "entered_by"
        )
    }
    targets = services.targets_by_indicator(wanted)
    issued = issued_periods(found.keys())
    rows = []
    for indicator in indicators:
        period, previous_period = wanted[indicator.pk]
        measurement = found.get((indicator.pk, period))
        in_force = target_in_force(targets.get(indicator.pk, []), period)
        if measurement is not None and measurement.target is not None:
            target = measurement.target
        else:
            target = in_force.target if in_force else None
        rows.append(
            Row(
                indicator=indicator,
                period=period,
                measurement=measurement,
                previous=found.get((indicator.pk, previous_period)),
                target=target,
                issued=(indicator.pk, period) in issued,
                band=amber_band(indicator, target, in_force),
            )
        )
    return rows


FIELDS = ("value", "commentary", "cause", "action_taken", "recovery_date", "data_quality_note")


def read_rows(rows: list[Row], data) -> list[services.ValueInput]:
    """ValueInputs for the rows a person filled in or changed; parse errors are kept on the rows."""
    entries = []
    for row in rows:
        if row.is_locked:
            continue
        entered = {name: (data.get(f"{row.prefix}-{name}") or "").strip() for name in FIELDS}
        row.entered = entered
        unchanged = all(entered[name] == _shown(row, name) for name in FIELDS)
        if unchanged or not any(entered.values()):
            continue
        reason = (data.get(f"{row.prefix}-reason") or "").strip()
        row.entered["reason"] = reason
        errors = {}
        try:
            value = entry_rules.parse_number(entered["value"], field="value", unit=row.indicator.unit)
        except ValidationError as exc:
            value, errors["value"] = None, " ".join(exc.message_dict["value"])
        recovery = None
        if entered["recovery_date"]:
            try:
                recovery = datetime.date.fromisoformat(entered["recovery_date"])
            except ValueError:
                errors["recovery_date"] = f"{entered['recovery_date']!r} is not a date (use YYYY-MM-DD)."
        if value is None and "value" not in errors:
            errors["value"] = "Enter a value (or clear the commentary to leave this PI for later)."
        if row.issued and entered["value"] != _shown(row, "value") and not reason:
            errors["reason"] = (
                f"{row.indicator.code} {row.indicator.period_label(row.period)} has been issued; "
                "give the reason for the correction (it shows as a restatement)."
            )
        try:
            version = int(data.get(f"{row.prefix}-version", row.version))
        except ValueError:
            version = row.version
        entries.append(
            services.ValueInput(
                indicator=row.indicator,
                period=row.period,
                value=value,
                commentary=entered["commentary"],
                cause=entered["cause"],
                action_taken=entered["action_taken"],
                recovery_date=recovery,
                data_quality_note=entered["data_quality_note"],
                version=version,
                errors=errors,
                reason=reason,
            )
        )
    return entries


def _shown(row: Row, name: str) -> str:
    """What the form showed for NAME before the person typed (the saved measurement)."""
    if row.measurement is None:
        return ""
    value = getattr(row.measurement, name)
    if value is None:
        return ""
    if name == "value":
        return f"{value.normalize():f}"
    if name == "recovery_date":
        return value.isoformat()
    return value
