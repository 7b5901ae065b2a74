"""Demo scorecards and snapshots, built on the demo PIs.

A corporate scorecard for the group, one scorecard per partner, a published tenant scorecard of
the Tenant Satisfaction Measures, snapshots for a director, an office manager and an updater, and
two issued editions of the corporate scorecard, the older one with a restatement.
Idempotent: everything is matched by title, slug or name; editions are issued only once.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cycle.rules import SCORECARDS, CalendarDays
from indicators import services as indicator_services
from indicators.models import Indicator, Measurement, Tag
from pmf import periods
from scorecards import services
from scorecards.models import Scorecard, ScorecardEntry, Snapshot
from scorecards.public_demo import seed_public_pages

CORPORATE = [
    ("Customer", ["TP01", "CUS01", "CUS02", "CPL01", "CPL02", "CPL03"]),
    ("Finance", ["INC01", "INC02", "INC03", "INC07", "VOI01"]),
    ("Process", ["REP01", "REP02", "REP03", "VOI02", "VOI03", "CMP01", "CMP02"]),
    ("People", ["HR01", "HR02", "HR03"]),
]
SIGNPOSTS = {"TP01", "INC01", "REP01", "VOI02", "CMP01", "HR01", "CPL01"}
PARTNERS = {
    "mh": ("Merebrook Homes scorecard", "mh.admin", ["INC", "VOI", "TEN", "REP", "AST", "CPL", "ASB", "CUS"]),
    "kl": ("Kestrel Living scorecard", "kl.admin", ["HR"]),
    "lps": ("Larchfield Property Services scorecard", "lps.admin", ["CMP"]),
}
TSM_SECTIONS = [
    ("Keeping properties in good repair", ("RP", "TP02", "TP03", "TP04")),
    ("Maintaining building safety", ("BS", "TP05")),
    ("Respectful and helpful engagement", ("TP06", "TP07", "TP08")),
    ("Effective handling of complaints", ("CH", "TP09")),
    ("Responsible neighbourhood management", ("NM", "TP10", "TP11", "TP12")),
    ("Overall", ("TP01",)),
]


def _prefix(code: str) -> str:
    return "".join(ch for ch in code if ch.isalpha())


def _scorecard(title: str, unit, owner, sections: list[tuple[str, list]], **extra) -> tuple[Scorecard, bool]:
    scorecard = Scorecard.objects.filter(title=title).first()
    if scorecard is not None:
        return scorecard, False
    scorecard = Scorecard.objects.create(title=title, org_unit=unit, owner=owner, **extra)
    for section_title, indicators in sections:
        if not indicators:
            continue
        section = services.add_section(
            scorecard=scorecard,
            title=section_title,
            commentary=f"{section_title}: performance is reviewed monthly; see each PI's commentary for the detail.",
        )
        for order, indicator in enumerate(indicators):
            ScorecardEntry.objects.create(
                scorecard=scorecard,
                section=section,
                indicator=indicator,
                order=order,
                signpost=indicator.code in SIGNPOSTS,
            )
    return scorecard, True


def _snapshot(name: str, owner, unit, **filters) -> None:
    if Snapshot.objects.filter(name=name, owner=owner).exists():
        return
    tags = filters.pop("tags", [])
    shared_roles = filters.pop("roles", [])
    snapshot = Snapshot(name=name, owner=owner, org_unit=unit, **filters)
    snapshot.set_roles(shared_roles)
    snapshot.save()
    if tags:
        snapshot.tags.set(tags)


@transaction.atomic
def seed_scorecards(organisation: dict) -> None:
    units, people = organisation["units"], organisation["people"]
    by_code = {ind.code: ind for ind in Indicator.objects.filter(active=True)}
    if not by_code:
        return

    corporate_sections = [(title, [by_code[c] for c in codes if c in by_code]) for title, codes in CORPORATE]
    corporate, created = _scorecard(
        "Group corporate scorecard",
        units["mhg"],
        people["group.admin"],
        corporate_sections,
        description="The balanced scorecard the Group Board reviews each month.",
        director_commentary="Income and repairs are on track; complaint handling times need attention and a "
        "recovery plan is in place.",
    )
    if created:
        corporate.shared_with.set([people["mh.viewer"], people["kl.viewer"], people["lps.viewer"]])

    for unit_code, (title, owner, prefixes) in PARTNERS.items():
        sections = []
        for prefix in prefixes:
            chosen = [
                ind
                for code, ind in sorted(by_code.items())
                if _prefix(code) == prefix and ind.source != Indicator.Source.TSM
            ]
            if chosen:
                tag = chosen[0].tags.first()
                sections.append((tag.name if tag else prefix, chosen))
        scorecard, created = _scorecard(title, units[unit_code], people[owner], sections)
        if created:
            scorecard.shared_with.set([people[f"{unit_code}.viewer"]])

    tsm = [ind for ind in by_code.values() if ind.source == Indicator.Source.TSM]
    if tsm:
        sections = []
        for title, keys in TSM_SECTIONS:
            chosen = sorted(
                (ind for ind in tsm if ind.code in keys or _prefix(ind.code) in keys), key=lambda ind: ind.code
            )
            sections.append((title, chosen))
        tenant, created = _scorecard(
            "Tenant Satisfaction Measures",
            units["mh"],
            people["mh.admin"],
            sections,
            publication=Scorecard.Publication.FULL,
            public_slug="tenant-satisfaction",
            public_title="How satisfied our tenants are",
            director_commentary="Thank you to the tenants who took part in this year's survey. We are focusing "
            "on repairs and on keeping you informed.",
        )
        if created:
            ScorecardEntry.objects.filter(
                scorecard=tenant, indicator__code__in=["TP01", "TP02", "BS01", "CH01"]
            ).update(signpost=True)
            _issue(tenant, _latest_issued_month(), people["mh.admin"])

    director = people["mh.manager"]
    _snapshot("Housing Services at a glance", director, units["mh-hs"], unit_filter=units["mh-hs"], roles=["viewer"])
    _snapshot(
        "Marsh Lane Office",
        people["mh.office"],
        units["mh-marsh"],
        tags=list(Tag.objects.filter(name__in=["Tenancy", "Anti-social behaviour"])),
        roles=["manager"],
    )
    updater = people["mh.updater"]
    _snapshot("My income PIs", updater, units["mh-rents"], person_filter=updater)

    _issue_corporate_editions(corporate, people["group.admin"], people["mh.updater"])
    seed_public_pages()


def _issue_corporate_editions(corporate: Scorecard, admin, updater) -> None:
    """Two editions; after the older one, a correction to one of its values (the restatement)."""
    latest = _latest_issued_month()
    older = periods.add_months(latest, -1)
    if corporate.editions.exists():
        return
    _issue(corporate, older, admin)
    measurement = (
        Measurement.objects.filter(
            indicator__scorecard_entries__scorecard=corporate,
            period=older,
            value__isnull=False,
            indicator__frequency="monthly",
            indicator__formula="",
        )
        .select_related("indicator")
        .order_by("indicator__code")
        .first()
    )
    if measurement is not None:
        if measurement.approved_at is not None:
            indicator_services.reopen(measurement=measurement, user=admin)
        step = Decimal("-0.5") if measurement.value >= 1 else Decimal("0.5")
        indicator_services.measurement_update(
            indicator=measurement.indicator,
            period=older,
            value=measurement.value + step,
            user=measurement.indicator.updater or updater,
            commentary="Corrected after month end: late postings were missing from the first report.",
        )
    _issue(corporate, latest, admin)


def _latest_issued_month() -> datetime.date:
    """The latest month whose scorecard day (the 16th of the month after) has come: before the
    16th the last complete month is still being reported, so the month before is the latest issued."""
    today = timezone.localdate()
    month = periods.last_complete_month(today)
    if CalendarDays().date(month, SCORECARDS) > today:
        month = periods.add_months(month, -1)
    return month


def _issue(scorecard: Scorecard, period: datetime.date, user) -> None:
    """Issue SCORECARD for PERIOD once that month's scorecard day has come, never before it."""
    if CalendarDays().date(period, SCORECARDS) > timezone.localdate():
        return
    services.issue_edition(scorecard=scorecard, period=period, user=user)
