"""What may be entered for a PI and a period: the one rule for values and targets.

Every place a value or target comes in calls these checks: the monthly update and the
single-period form (`services.save_values`), the target form and `services.set_target`, and the
value import row by row (`imports`). The COPY import states the same rules in SQL
(`bulkload.entry_ok_sql`), and a test holds the two equal case by case.

The checks are pure: they read a `Definition` (the few fields of a PI that decide what it takes)
and return {field: message}, empty when the entry is allowed. FIELD names the form field or the
file column the message is about. `parse_number` reads a number as people type it, for the same
callers.

The rules:
- the period is a period of the PI's frequency (the first month of its quarter or financial year);
- a calculated PI (one with a formula) takes no typed value: its inputs are entered instead; it
  does take targets;
- values and targets lie within the PI's lowest and highest allowed values;
- an approved value is locked until the performance team reopens it;
- once a period has locked (from the lock day of the reporting calendar, `cycle.calendar`),
  only a manager over the PI or the performance team may change its value, and with a reason.
An inactive PI takes values like an active one: the monthly update no longer lists it, but its
single-period form accepts a value, so a past period can still be corrected after it is retired,
and the import does the same.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError

from indicators.models import VALUE_FIELD, Indicator


@dataclass(frozen=True)
class Definition:
    """The parts of a PI that decide what may be entered for it."""

    code: str
    frequency: str = Indicator.Frequency.MONTHLY
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    formula: str = ""

    @classmethod
    def of(cls, indicator: Indicator) -> "Definition":
        return cls(
            code=indicator.code,
            frequency=indicator.frequency,
            min_value=indicator.min_value,
            max_value=indicator.max_value,
            formula=indicator.formula,
        )

    @property
    def is_calculated(self) -> bool:
        return bool(self.formula)

    def period_label(self, period: datetime.date) -> str:
        return _calendar(self.frequency).period_label(period)


# The Indicator fields a Definition is made of, in its order (for values_list).
DEFINITION_FIELDS = ("code", "frequency", "min_value", "max_value", "formula")


@functools.cache
def _calendar(frequency: str) -> Indicator:
    """An unsaved PI of FREQUENCY: its period methods read nothing else."""
    return Indicator(frequency=frequency)


@functools.lru_cache(maxsize=8192)
def _fits(frequency: str, period: datetime.date, year_start: int) -> bool:
    """Whether PERIOD is a period of FREQUENCY; YEAR_START (the financial year setting the answer
    depends on) is part of the cache key."""
    return _calendar(frequency).is_valid_period(period)


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


# What people type ---------------------------------------------------------------------------

_GROUPED = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(text, *, field: str, unit: str | None = None) -> Decimal | None:
    """A number typed by a person: blank -> None; accepts "1,234", "1,234.5", "95%" (for % PIs)
    and "£1,200" (for money PIs). Refuses anything else with a message naming FIELD."""
    if text is None:
        return None
    if isinstance(text, int | float | Decimal):
        number = Decimal(str(text))
        if not fits_column(number):
            raise ValidationError({field: too_large_message(str(text))})
        return number
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return None
    cleaned = raw
    if cleaned.endswith("%"):
        if unit not in (None, Indicator.Unit.PERCENT):
            raise ValidationError({field: f"{raw!r} has a % sign but this PI is not measured in %."})
        cleaned = cleaned[:-1]
    if cleaned.startswith("£"):
        if unit not in (None, Indicator.Unit.GBP):
            raise ValidationError({field: f"{raw!r} has a £ sign but this PI is not measured in pounds."})
        cleaned = cleaned[1:]
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        raise ValidationError({field: f"{raw!r} is ambiguous: use a full stop for decimals, e.g. 1234.5."})
    if not _PLAIN.match(cleaned):
        raise ValidationError({field: f"{raw!r} is not a number."})
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError({field: f"{raw!r} is not a number."}) from None
    if not fits_column(number):
        raise ValidationError({field: too_large_message(raw)})
    return number


# A value, target or limit is stored with VALUE_FIELD's digits: DECIMAL_PLACES after the point
# (more are rounded away) and so INTEGER_DIGITS before it.
DECIMAL_PLACES = VALUE_FIELD["decimal_places"]
INTEGER_DIGITS = VALUE_FIELD["max_digits"] - DECIMAL_PLACES


def too_large_message(raw: str) -> str:
    return f"{raw[:40]!r} is too large: numbers may have at most {INTEGER_DIGITS} digits before the point."


def fits_column(number: Decimal) -> bool:
    """Whether NUMBER, rounded as the database stores it, fits the value column (a value that
    rounds past INTEGER_DIGITS, such as 99999999999999.9999999, does not)."""
    if not number.is_finite():
        return False
    rounded = abs(number).quantize(Decimal(1).scaleb(-DECIMAL_PLACES), context=_WIDE)
    return rounded < Decimal(10) ** INTEGER_DIGITS


_WIDE = Context(prec=1000)


# The rules ------------------------------------------------------------------------------------


def period_errors(definition: Definition, period: datetime.date, *, field: str = "period") -> dict[str, str]:
    """The period must be one of the PI's frequency."""
    if _fits(definition.frequency, period, settings.FINANCIAL_YEAR_START_MONTH):
        return {}
    calendar = _calendar(definition.frequency)
    expected = calendar.period_for(period)
    frequency = Indicator.Frequency(definition.frequency).label.lower()
    article = "an" if frequency[0] in "aeiou" else "a"
    return {
        field: (
            f"{period:%d %b %Y} is not {article} {frequency} period of {definition.code}; "
            f"use {expected:%d %b %Y} ({calendar.period_label(expected)})."
        )
    }


def range_errors(definition: Definition, number: Decimal | None, *, field: str) -> dict[str, str]:
    """NUMBER (a value or a target) must lie within the PI's allowed range."""
    if number is None:
        return {}
    if definition.min_value is not None and number < definition.min_value:
        return {
            field: f"{_plain(number)} is below the lowest allowed value of {definition.code} "
            f"({_plain(definition.min_value)})."
        }
    if definition.max_value is not None and number > definition.max_value:
        return {
            field: f"{_plain(number)} is above the highest allowed value of {definition.code} "
            f"({_plain(definition.max_value)})."
        }
    return {}


def value_errors(
    definition: Definition, value: Decimal | None, *, given: bool | None = None, field: str = "value"
) -> dict[str, str]:
    """A typed value: none for a calculated PI, else within range. GIVEN says whether the entry
    writes the value (by default when VALUE is not None: a blank import cell keeps what is
    recorded, while the form writes even a blank value)."""
    if given is None:
        given = value is not None
    if given and definition.is_calculated:
        return {field: f"{definition.code} is calculated from its formula; enter its inputs instead."}
    return range_errors(definition, value, field=field)


def target_errors(definition: Definition, target: Decimal | None, *, field: str = "target") -> dict[str, str]:
    """A target is held to the same range as the values it is compared with."""
    return range_errors(definition, target, field=field)


def entry_errors(
    definition: Definition,
    *,
    period: datetime.date,
    value: Decimal | None = None,
    target: Decimal | None = None,
    value_given: bool | None = None,
) -> dict[str, str]:
    """Everything wrong with entering VALUE and TARGET for DEFINITION's PI in PERIOD, by field
    ("period", "value", "target"); the approval lock is `approved_errors`."""
    return (
        period_errors(definition, period)
        | value_errors(definition, value, given=value_given)
        | target_errors(definition, target)
    )


def approved_errors(definition: Definition, period: datetime.date, *, field: str = "value") -> dict[str, str]:
    """The message for a period whose value has been approved (the caller knows it is)."""
    return {
        field: f"{definition.code} {definition.period_label(period)} has been approved and is locked; "
        "ask the performance team to reopen it."
    }


def locked_errors(
    definition: Definition,
    period: datetime.date,
    *,
    locked_on: datetime.date | None,
    may_correct: bool,
    reason: str = "",
    field: str = "value",
) -> dict[str, str]:
    """The period lock: a value of a period that locked on LOCKED_ON (None: still open) is
    refused to those who may not correct it, and to those who may (MAY_CORRECT) without a REASON."""
    if locked_on is None:
        return {}
    label = f"{definition.code} {definition.period_label(period)}"
    if not may_correct:
        return {field: f"{label} locked on {locked_on:%-d %b %Y}; ask a manager or the performance team to correct it."}
    if not reason.strip():
        return {"reason": f"{label} locked on {locked_on:%-d %b %Y}; give the reason for the correction."}
    return {}
