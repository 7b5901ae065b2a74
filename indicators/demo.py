"""Demo PIs: the 22 Tenant Satisfaction Measures (annual) and the operational housing KPI set
(monthly/quarterly), with 36 months of deterministic values, targets, commentary and benchmarks.

The series are generated from a seeded random generator per PI with a "storyline" (improving,
slipping, consistently beating or missing its target, ...) so every status and trend appears.
Idempotent: PIs are matched by code and values are only added to PIs that have none.
"""

import csv
import datetime
import random
import zlib
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators import formula as formulas
from indicators import rules, services
from indicators.models import Benchmark, Indicator, Measurement, Tag, TargetPeriod, target_in_force
from pmf import periods

DATA = Path(__file__).parent / "data"

UNITS = {"%": "percent", "days": "days", "days per FTE": "days", "count per 1,000 homes": "per1000"}

# KPI code prefix -> (org unit code, owner username, updater username, tags)
HOMES = {
    "INC": ("mh-rents", "mh.manager", "mh.updater", ["Income"]),
    "VOI": ("mh-voids", "mh.manager", "mh.updater", ["Voids and lettings"]),
    "TEN": ("mh-tm", "mh.manager", "mh.updater", ["Tenancy"]),
    "REP": ("mh-rep-t", "mh.admin", "mh.updater", ["Repairs"]),
    "CMP": ("lps-gas-t", "lps.manager", "lps.updater", ["Building safety", "Big six"]),
    "AST": ("mh-inv", "mh.admin", "mh.updater", ["Assets"]),
    "CPL": ("mh-comp", "mh.admin", "mh.updater", ["Complaints"]),
    "ASB": ("mh-asb", "mh.manager", "mh.updater", ["Anti-social behaviour"]),
    "CUS": ("mh-cc", "mh.admin", "mh.updater", ["Customer contact"]),
    "HR": ("kl-people", "kl.manager", "kl.updater", ["People"]),
}
TSM_UNIT = ("mh", "mh.admin", "mh.admin", ["TSM"])

# Extra PIs showing a calculated PI, a data-only PI and a proxy measure.
EXTRA = [
    # code, title, unit, polarity, frequency, low, high, target, definition, prefix, formula
    (
        "INC07N",
        "Tenancies in arrears at month end",
        "number",
        "data",
        "monthly",
        380,
        460,
        None,
        "Count of current tenancies owing any rent at month end.",
        "INC",
        "",
    ),
    (
        "INC07D",
        "Current tenancies at month end",
        "number",
        "data",
        "monthly",
        8900,
        9100,
        None,
        "Count of current tenancies at month end.",
        "INC",
        "",
    ),
    (
        "INC07",
        "Tenancies in arrears as % of all tenancies",
        "percent",
        "down",
        "monthly",
        4.2,
        5.0,
        4.5,
        "Calculated: tenancies in arrears divided by current tenancies.",
        "INC",
        "INC07N / INC07D * 100",
    ),
    (
        "CUS02",
        "Web chats answered within 60 seconds",
        "percent",
        "up",
        "monthly",
        70,
        95,
        85,
        "New measure from this year: share of web chats a person answers within a minute.",
        "CUS",
        "",
    ),
]
NEW_MEASURES = {"CUS02"}  # no values yet, so its status is Unknown
PROXIES = {"REP06": "TP02", "CPL01": "CH02", "CMP01": "BS01"}

STORIES = ["improving", "slipping", "beating", "missing", "steady", "volatile"]


def _rng(code: str) -> random.Random:
    return random.Random(zlib.crc32(code.encode()))


def _definitions() -> list[dict]:
    rows = []
    with (DATA / "tsm_measures.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            low, high, target = (60, 85, 80) if row["unit"] == "%" else (5, 40, 20)
            if row["code"].startswith("BS"):
                low, high, target = 96, 100, 100
            if row["code"] == "RP01":
                low, high, target = 0, 8, 2
            if row["code"] in ("CH02", "RP02"):
                low, high, target = 75, 99, 95
            rows.append(
                {
                    "code": row["code"],
                    "title": row["title"],
                    "unit": UNITS[row["unit"]],
                    "polarity": row["polarity"],
                    "frequency": row["frequency"],
                    "low": low,
                    "high": high,
                    "target": target,
                    "definition": row["definition"],
                    "home": TSM_UNIT,
                    "source": Indicator.Source.TSM,
                    "formula": "",
                }
            )
    with (DATA / "housing_kpis.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            prefix = "".join(ch for ch in row["code"] if ch.isalpha())
            rows.append(
                {
                    "code": row["code"],
                    "title": row["title"],
                    "unit": UNITS[row["unit"]],
                    "polarity": row["polarity"],
                    "frequency": row["frequency"],
                    "low": float(row["typical_low"]),
                    "high": float(row["typical_high"]),
                    "target": float(row["typical_target"]),
                    "definition": row["definition"],
                    "home": HOMES[prefix],
                    "source": Indicator.Source.HOUSEMARK if prefix in ("INC", "VOI", "REP") else Indicator.Source.LOCAL,
                    "formula": "",
                }
            )
    for code, title, unit, polarity, frequency, low, high, target, definition, prefix, formula in EXTRA:
        rows.append(
            {
                "code": code,
                "title": title,
                "unit": unit,
                "polarity": polarity,
                "frequency": frequency,
                "low": low,
                "high": high,
                "target": target,
                "definition": definition,
                "home": HOMES[prefix],
                "source": Indicator.Source.LOCAL,
                "formula": formula,
            }
        )
    return rows


def _series(
    spec: dict, count: int, story: str, rng: random.Random, floor: Decimal | None, ceiling: Decimal | None
) -> list[float]:
    """Values telling STORY, kept inside the PI's allowed range (FLOOR..CEILING) so a 100% PI never
    shows 100.7% and a count never goes below zero."""
    low, high, target = spec["low"], spec["high"], spec["target"] if spec["target"] is not None else spec["low"]
    span = max(high - low, 0.5)
    better = 1 if spec["polarity"] != "down" else -1
    values = []
    for index in range(count):
        progress = index / max(count - 1, 1)
        noise = rng.gauss(0, span * 0.03)
        if story == "improving":
            shift = (-0.25 + 0.4 * progress) * span * better
        elif story == "slipping":
            shift = (0.15 - 0.4 * progress) * span * better
        elif story == "beating":
            shift = 0.12 * span * better
        elif story == "missing":
            shift = -0.2 * span * better
        elif story == "volatile":
            shift = rng.uniform(-0.15, 0.12) * span * better
        else:
            shift = 0.02 * span * better
        value = min(max(target + shift + noise, low - span * 0.1), high + span * 0.1)
        if floor is not None:
            value = max(value, float(floor))
        if ceiling is not None:
            value = min(value, float(ceiling))
        values.append(value)
    return values


CAUSES = [
    ("Staff vacancies in the team reduced capacity.", "Agency cover agreed and two posts recruited."),
    ("A contractor backlog after the storm period delayed jobs.", "Weekly backlog meetings with the contractor."),
    ("A system upgrade stopped reporting for two weeks.", "Data re-keyed and checks added to month-end."),
    ("Higher demand than forecast.", "Triage introduced and extra shifts scheduled."),
]
# Reds of the tenant perception measures (TSM codes TP..) are explained by what tenants told us.
SURVEY_CAUSES = [
    (
        "Tenants told us repairs took too long to book after the contact centre changes.",
        "Repairs booking moved back to a dedicated team; results reviewed with the Tenants' Scrutiny Panel.",
    ),
    (
        "Satisfaction fell most among tenants in older blocks waiting for planned works.",
        "Block-by-block improvement plans shared with residents, with progress reported every quarter.",
    ),
    (
        "Tenants said we did not keep them informed while their complaint was open.",
        "A named case officer and an update every fortnight on every open complaint.",
    ),
]


@transaction.atomic
def seed_indicators(organisation: dict) -> None:
    units, people = organisation["units"], organisation["people"]
    specs = _definitions()
    existing = {ind.code: ind for ind in Indicator.objects.filter(code__in=[spec["code"] for spec in specs])}
    tags = {}
    new = []
    for spec in specs:
        if spec["code"] in existing:
            continue
        unit_code, owner, updater, tag_names = spec["home"]
        percent = spec["unit"] == "percent"
        new.append(
            Indicator(
                code=spec["code"],
                title=spec["title"],
                definition=spec["definition"],
                unit=spec["unit"],
                decimals=1 if spec["unit"] in ("percent", "days", "per1000") else 0,
                polarity=spec["polarity"],
                frequency=spec["frequency"],
                org_unit=units[unit_code],
                owner=people[owner],
                updater=people[updater],
                source=spec["source"],
                formula=spec["formula"],
                ytd_rule=Indicator.YtdRule.SUM if spec["unit"] == "number" else Indicator.YtdRule.MEAN,
                tolerance_kind=Indicator.ToleranceKind.ABSOLUTE if percent else Indicator.ToleranceKind.PERCENT,
                tolerance=Decimal("2") if percent else Decimal("10"),
                min_value=Decimal(0),
                max_value=Decimal(100) if percent and "collected" not in spec["title"] else None,
                guidance="Enter the figure from the month-end report; explain any change of more than 5%.",
            )
        )
    if new:
        bulk_create_with_history(new, Indicator, default_user=people["group.admin"])
    indicators = {ind.code: ind for ind in Indicator.objects.filter(code__in=[spec["code"] for spec in specs])}
    through = Indicator.tags.through
    links = []
    for spec in specs:
        for name in spec["home"][3]:
            if name not in tags:
                tags[name] = Tag.objects.get_or_create(name=name)[0]
            links.append(through(indicator=indicators[spec["code"]], tag=tags[name]))
    through.objects.bulk_create(links, ignore_conflicts=True)
    for proxy, main in PROXIES.items():
        if indicators[proxy].proxy_for_id != indicators[main].pk:
            Indicator.objects.filter(pk=indicators[proxy].pk).update(proxy_for=indicators[main])
    _seed_values(specs, indicators, people)


def _seed_values(specs, indicators, people) -> None:
    with_values = set(
        Measurement.objects.filter(indicator__in=indicators.values()).values_list("indicator_id", flat=True).distinct()
    )
    now = timezone.now()
    today = timezone.localdate()
    last_month = periods.last_complete_month(today)
    first_month = periods.add_months(last_month, -35)
    current_fy = periods.financial_year_start(last_month)
    targets, benchmarks, measurements = [], [], []
    admin = people["group.admin"]
    for number, spec in enumerate(specs):
        indicator = indicators[spec["code"]]
        if indicator.pk in with_values:
            continue
        rng = _rng(spec["code"])
        story = STORIES[number % len(STORIES)]
        step = indicator.step()
        start = indicator.period_for(first_month)
        if start < first_month:
            start = periods.add_months(start, step)
        period_list = []
        period = start
        # Annual PIs are reported once the year is over; monthly and quarterly once their period ends.
        while periods.add_months(period, step - 1) <= last_month:
            period_list.append(period)
            period = periods.add_months(period, step)
        values = _series(spec, len(period_list), story, rng, indicator.min_value, indicator.max_value)
        rows = []
        if spec["target"] is not None:
            base = Decimal(str(spec["target"]))
            rows.append(
                TargetPeriod(
                    indicator=indicator,
                    effective_from=indicator.period_for(first_month),
                    target=base,
                    tolerance_kind=indicator.tolerance_kind,
                    tolerance=indicator.tolerance,
                )
            )
            stricter = base + (Decimal("1") if spec["polarity"] == "up" else Decimal("-1")) * (
                Decimal("0.5") if spec["unit"] == "percent" else Decimal("1")
            )
            if spec["unit"] == "percent":
                stricter = min(stricter, Decimal(100))
            rows.append(
                TargetPeriod(
                    indicator=indicator,
                    effective_from=indicator.period_for(current_fy),
                    target=max(stricter, Decimal(0)),
                    tolerance_kind=indicator.tolerance_kind,
                    tolerance=indicator.tolerance,
                )
            )
            targets.extend(rows)
            top, bottom = (spec["high"], spec["low"]) if spec["polarity"] != "down" else (spec["low"], spec["high"])
            quarter_gap = (top - bottom) / 4
            for year_back, drift in ((1, 0), (2, -0.02)):
                year = periods.fy_label(periods.add_months(current_fy, -12 * year_back))
                benchmarks.append(
                    Benchmark(
                        indicator=indicator,
                        source="Illustrative peer group",
                        year=year,
                        top_quartile=_dec(top - quarter_gap + drift * (top - bottom)),
                        median=_dec((top + bottom) / 2 + drift * (top - bottom)),
                        bottom_quartile=_dec(bottom + quarter_gap + drift * (top - bottom)),
                    )
                )
        skip_latest = spec["home"][2] == "mh.updater" and number % 4 == 0
        for index, (period, value) in enumerate(zip(period_list, values, strict=True)):
            if skip_latest and index == len(period_list) - 1 and step == 1:
                continue
            if spec["formula"] or spec["code"] in NEW_MEASURES:
                continue
            decimal_value = _dec(value, indicator.decimals)
            target = target_in_force(rows, period).target if rows else None
            status = rules.traffic_light(
                value=decimal_value,
                target=target,
                polarity=indicator.polarity,
                tolerance=indicator.tolerance,
                tolerance_kind=indicator.tolerance_kind,
            )
            # Entered in the month after the period ends, by the 14th when values are due, never
            # later than the moment the demo is built.
            entered_at = min(
                timezone.make_aware(
                    datetime.datetime.combine(
                        periods.add_months(period, step).replace(day=3 + index % 10), datetime.time(10, 30)
                    )
                ),
                now,
            )
            m = Measurement(
                indicator=indicator,
                period=period,
                value=decimal_value,
                target=target,
                status=status,
                entered_by=indicator.updater,
                entered_at=entered_at,
                version=1,
            )
            if status == rules.RED:
                causes = SURVEY_CAUSES if spec["code"].startswith("TP") else CAUSES
                cause, action = causes[(number + index) % len(causes)]
                m.cause, m.action_taken = cause, action
                # Monthly PIs recover within a quarter, quarterly ones within two; an annual
                # survey result can move only at the next year's survey.
                m.recovery_date = periods.add_months(period, {1: 3, 3: 6}.get(step, 23))
                m.commentary = f"Below target this period. {cause}"
            elif status == rules.AMBER:
                m.commentary = "Slightly off target; we expect to recover next period."
            elif index % 5 == 0:
                m.commentary = "On track."
            # Approvals keep pace: only a few of the latest values still wait for their manager.
            if index < len(period_list) - 1 or number % 9 != 1:
                m.approved_by, m.approved_at = indicator.owner, min(entered_at + datetime.timedelta(days=2), now)
            measurements.append(m)
    TargetPeriod.objects.bulk_create(targets, ignore_conflicts=True)
    Benchmark.objects.bulk_create(benchmarks, ignore_conflicts=True)
    if measurements:
        bulk_create_with_history(measurements, Measurement, default_user=admin, batch_size=1000)
    calculated = [spec for spec in specs if spec["formula"] and indicators[spec["code"]].pk not in with_values]
    if calculated:
        inputs = set().union(*(formulas.codes_in(spec["formula"]) for spec in calculated))
        months = set(Measurement.objects.filter(indicator__code__in=inputs).values_list("period", flat=True))
        services.recalculate_dependants(codes=inputs, periods=months, user=admin)
        _date_calculated_values(calculated, indicators, inputs)
    if measurements or calculated:
        services.refresh_latest(indicator_ids=[ind.pk for ind in indicators.values()])


def _date_calculated_values(calculated, indicators, inputs) -> None:
    """A calculated value is worked out when the last of its inputs arrives, and approved with them:
    date it so, rather than at the moment the demo was built."""
    arrived: dict = {}
    waiting = set()
    for period, entered_at, approved_at in Measurement.objects.filter(indicator__code__in=inputs).values_list(
        "period", "entered_at", "approved_at"
    ):
        arrived[period] = max(arrived.get(period, entered_at), entered_at)
        if approved_at is None:
            waiting.add(period)
    now = timezone.now()
    rows = list(
        Measurement.objects.select_related("indicator").filter(
            indicator__in=[indicators[spec["code"]] for spec in calculated]
        )
    )
    for m in rows:
        if m.period not in arrived:
            continue
        m.entered_at = arrived[m.period]
        if m.period not in waiting:
            m.approved_by_id = m.indicator.owner_id
            m.approved_at = min(m.entered_at + datetime.timedelta(days=2), now)
    Measurement.objects.bulk_update(rows, ["entered_at", "approved_by", "approved_at"])


def _dec(value: float, places: int = 1) -> Decimal:
    return Decimal(str(round(value, places)))
