"""What the snapshot, scorecard, edition and public pages show, as typed blocks.

Each function loads its page's figures in a fixed number of queries whatever the number of PIs:
live rows come from `indicators.figures`, issued rows from the edition (`scorecards.figures`).
Views add only what depends on the person asking (what they may open or change).
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Subquery

from indicators.figures import ROW_FIELDS, Restatement, Row, live_rows
from indicators.models import Indicator, Measurement
from indicators.rules import UNKNOWN
from plans.models import PlanItem
from pmf.registry import SNAPSHOT_SECTIONS, SnapshotSection
from scorecards import charts, services
from scorecards.figures import frozen_row, restatements
from scorecards.models import EditionRow, Scorecard, ScorecardEdition, Snapshot
from scorecards.status import status_counts


@dataclass
class Section:
    """A titled group of PI rows, with how many of them are in each status."""

    title: str
    rows: list[Row]
    key: int | None = None
    commentary: str = ""
    commentary_internal: bool = False
    counts: list[tuple[str, str, int]] = field(init=False)

    def __post_init__(self):
        self.counts = status_counts(row.status for row in self.rows)


def hidden_section_keys(snapshot: Snapshot) -> set[str]:
    """The keys of the registered sections (pmf.registry.SNAPSHOT_SECTIONS) SNAPSHOT does not show."""
    return {key for key in snapshot.hidden_sections.split(",") if key}


def wrap_section_keys(keys) -> str:
    """KEYS as stored in Snapshot.hidden_sections (comma-wrapped, so ",risks," matches whole keys)."""
    keys = sorted(keys)
    return f",{','.join(keys)}," if keys else ""


@dataclass
class ExtraSection:
    """A registered section as one snapshot shows it: the entry and what its template lists."""

    section: SnapshotSection
    items: object


@dataclass
class SnapshotPage:
    rows: list[tuple[Indicator, Row]]
    hidden: int
    counts: list[tuple[str, str, int]]
    actions: list[PlanItem]
    actions_total: int
    sections: list[ExtraSection]
    page: Page | None = None


SNAPSHOT_PAGE_SIZE = 100


def snapshot_sections(snapshot: Snapshot, user) -> list[ExtraSection]:
    """The sections other modules add that SNAPSHOT shows to USER, in their order: each registered
    one not hidden and applying to it (its `items` is not None)."""
    hidden = hidden_section_keys(snapshot)
    found = []
    for section in SNAPSHOT_SECTIONS:
        if section.key in hidden:
            continue
        items = section.items(snapshot, user)
        if items is not None:
            found.append(ExtraSection(section, items))
    return found


def snapshot_page(snapshot: Snapshot, user, number=None) -> SnapshotPage:
    """The PIs of SNAPSHOT that USER may see, page NUMBER of them in code order (each PI's latest
    figures, or those of the snapshot's period), the status counts of all of them, how many more
    are hidden from them, the plan actions it lists and the sections other modules add. The same
    number of queries for 1 PI or 10,000: only the page's PIs are loaded."""
    chosen = services.snapshot_chosen(snapshot)
    seen = Indicator.objects.visible_to(user).filter(pk__in=chosen.values("pk"))
    page = Paginator(seen.order_by("code").values_list("pk", flat=True), SNAPSHOT_PAGE_SIZE).get_page(number)
    indicators = list(
        Indicator.objects.filter(pk__in=list(page.object_list))
        .select_related("org_unit")
        .only(*ROW_FIELDS, "org_unit__name")
        .order_by("code")
    )
    page.object_list = indicators
    rows = live_rows(indicators, snapshot.period, benchmarks=False)
    ordered = [(indicator, rows[indicator.pk]) for indicator in indicators]
    actions, actions_total = services.snapshot_actions(snapshot, user)
    return SnapshotPage(
        rows=ordered,
        hidden=chosen.values("pk").distinct().count() - page.paginator.count,
        counts=_status_counts(seen, snapshot.period),
        actions=actions,
        actions_total=actions_total,
        sections=snapshot_sections(snapshot, user),
        page=page,
    )


def _status_counts(indicators, period: datetime.date | None) -> list[tuple[str, str, int]]:
    """`status_counts` of INDICATORS (a queryset) in one aggregate query: each PI's latest status,
    or the status of its latest value up to PERIOD (what `live_rows` shows for that period)."""
    if period is None:
        status = F("latest_status")
    else:
        status = Subquery(
            Measurement.objects.filter(indicator=OuterRef("pk"), period__lte=period, value__isnull=False)
            .order_by("-period")
            .values("status")[:1]
        )
    found = indicators.order_by().annotate(shown_status=status).values_list("shown_status").annotate(n=Count("pk"))
    return status_counts(shown or UNKNOWN for shown, n in found for _ in range(n))


@dataclass
class ScorecardPage:
    layout: services.ScorecardLayout
    sections: list[Section]
    edition: ScorecardEdition | None
    restated: list[tuple[EditionRow, Restatement]]
    overview: dict


def scorecard_page(scorecard: Scorecard, period: datetime.date) -> ScorecardPage:
    """SCORECARD's sections with the live rows of PERIOD, the edition issued for PERIOD if any, the
    values restated since it was issued (also marked on their rows), and the overview chart."""
    layout = services.load_layout(scorecard)
    rows = live_rows(layout.indicators, period)
    edition = ScorecardEdition.objects.filter(scorecard=scorecard, period=period).first()
    restated = []
    if edition is not None:
        frozen = list(EditionRow.objects.filter(edition=edition))
        found = restatements(edition, frozen)
        for item in frozen:
            if item.pk in found and item.indicator_id in rows:
                rows[item.indicator_id].restatement = found[item.pk]
                restated.append((item, found[item.pk]))
    sections = [
        Section(
            title=section.title,
            rows=[rows[entry.indicator_id] for entry in entries],
            key=section.pk,
            commentary=section.commentary,
            commentary_internal=section.commentary_internal,
        )
        for section, entries in layout.sections
    ]
    return ScorecardPage(
        layout=layout,
        sections=sections,
        edition=edition,
        restated=restated,
        overview=charts.status_bars_figure(sections),
    )


def signpost_sections(scorecard: Scorecard, period: datetime.date) -> list[Section]:
    """The signposts (key PIs) of each section of SCORECARD for PERIOD; every PI when none is
    marked as a signpost. Sections without any are left out."""
    layout = services.load_layout(scorecard)
    any_flagged = any(entry.signpost for _, entries in layout.sections for entry in entries)
    rows = live_rows(layout.indicators, period, benchmarks=False)
    sections = []
    for section, entries in layout.sections:
        chosen = [rows[entry.indicator_id] for entry in entries if entry.signpost or not any_flagged]
        if chosen:
            sections.append(Section(title=section.title, rows=chosen, key=section.pk, commentary=section.commentary))
    return sections


@dataclass
class EditionPage:
    sections: list[Section]
    restated: list[tuple[EditionRow, Restatement]]


def edition_page(edition: ScorecardEdition) -> EditionPage:
    """EDITION's sections with their rows as issued, each marked with its restatement if its value
    has changed since, and the list of those restatements."""
    sections = list(edition.sections.order_by("order"))
    items = list(edition.rows.order_by("section__order", "order"))
    found = restatements(edition, items)
    by_section: dict[int, list[Row]] = {section.pk: [] for section in sections}
    for item in items:
        row = frozen_row(item)
        row.restatement = found.get(item.pk)
        by_section[item.section_id].append(row)
    return EditionPage(
        sections=[
            Section(
                title=section.title,
                rows=by_section[section.pk],
                key=section.pk,
                commentary=section.commentary,
                commentary_internal=section.commentary_internal,
            )
            for section in sections
        ],
        restated=[(item, found[item.pk]) for item in items if item.pk in found],
    )


def public_sections(scorecard: Scorecard, edition: ScorecardEdition, *, signposts_only: bool) -> list[Section]:
    """The published rows of EDITION by section (only signposts when asked or when SCORECARD
    publishes only those), without internal commentary; sections with nothing published are left out."""
    sections = list(edition.sections.order_by("order"))
    items = EditionRow.objects.filter(edition=edition, public=True)
    if signposts_only or scorecard.publication == Scorecard.Publication.SIGNPOSTS:
        items = items.filter(signpost=True)
    by_section: dict[int, list[Row]] = {section.pk: [] for section in sections}
    for item in items.order_by("section__order", "order"):
        by_section[item.section_id].append(frozen_row(item))
    return [
        Section(
            title=section.title,
            rows=by_section[section.pk],
            key=section.pk,
            commentary="" if section.commentary_internal else section.commentary,
        )
        for section in sections
        if by_section[section.pk]
    ]
