"""Extension points the modules fill in from their AppConfig.ready().

- NAVIGATION: each module adds its entry, with the rule (a pmf.access predicate) saying who sees it.
- MY_WORK: each module adds a section listing what is assigned to the signed-in person.
- DEMO_SEEDERS: each module adds the function that creates its demo content (seed_demo runs them).
- LINKED_PANELS: each module adds what it links to a plan item (the golden-thread page shows them).
- ISSUED_PERIOD_CHECKS: a module that freezes figures (scorecard editions) says which (PI, period)
  pairs of a list have been issued, in one query for the whole list; a new target leaves those
  periods' targets and colours as they were, and the monthly update warns before a correction.
- CHASE_SOURCES: a module whose people owe dated work (risk reviews, assessment responses) says
  what falls due; the monthly cycle (`cycle`) reminds them, lists them on Who is behind and
  escalates, without importing the module. See `ChaseSource`.
- SNAPSHOT_SECTIONS: a module adds a block to snapshot pages (risks adds "Risks"), shown after the
  actions for snapshots chosen by unit or person; each snapshot may hide it. See `SnapshotSection`.

Every list is a `Registry`: registering is idempotent (ready() may run more than once) and the
entries are kept in their `order`.
"""

import datetime
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.urls import reverse

from pmf.access import signed_in


class Registry[T]:
    """An ordered list of extension entries.

    KEY gives what makes an entry unique (an entry whose key is already registered is ignored);
    ORDER gives its position (entries without an order keep the order they were registered in)."""

    def __init__(self, *, key: Callable[[T], object] = lambda entry: entry, order: Callable[[T], int] | None = None):
        self._key = key
        self._order = order
        self._entries: list[T] = []

    def register(self, entry: T) -> T:
        if all(self._key(existing) != self._key(entry) for existing in self._entries):
            self._entries.append(entry)
            if self._order is not None:
                self._entries.sort(key=self._order)
        return entry

    def remove(self, entry: T) -> None:
        self._entries.remove(entry)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation, shown to those for whom `visible(user)` is true (a role
    predicate of pmf.access: can_write, can_configure...)."""

    label: str
    url_name: str
    order: int
    visible: Callable = signed_in

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class WorkSection:
    """A block on the 'My work' page. `items(user)` returns a list (evaluated, bounded)."""

    title: str
    template: str
    items: Callable
    order: int


class DemoSeeder(NamedTuple):
    """A function taking the organisation made by pmf.demo.seed_organisation() and creating its
    module's demo content idempotently; seed_demo runs them in ORDER."""

    order: int
    seed: Callable


@dataclass(frozen=True)
class LinkedPanel:
    """A block on a plan item's golden-thread panel listing what another module links to it.

    `items(plan_item, user)` returns the linked objects USER may see (through visible_to)."""

    title: str
    template: str
    items: Callable
    order: int


@dataclass(frozen=True)
class ChaseItem:
    """One piece of dated work a person owes: what the cycle reminds them of and counts as behind.

    MODEL ("app_label.model_name") and OBJECT_ID name the record; the reminder for it is sent once
    per DUE date and state (due soon, overdue), so moving the due date chases again."""

    person_id: int
    unit_id: int | None
    model: str
    object_id: int
    title: str
    url: str
    due: datetime.date
    overdue: bool


@dataclass(frozen=True)
class ChaseSource:
    """Dated work of one kind that the monthly cycle chases.

    `items(today=..., within_days=...)` returns a ChaseItem for every open record of active people
    due on or before TODAY + WITHIN_DAYS (the overdue ones included, `overdue` set when the due
    date has passed), in a fixed number of queries whatever the number of records. KIND names
    the reminders (unique across sources, e.g. "risk_review"); LABEL heads them in the digest and
    BEHIND_LABEL heads the overdue count on Who is behind. OPTIONAL sources may be taken in a
    weekly digest; deadline reminders are always daily.

    A module plugs in from its AppConfig.ready():

        CHASE_SOURCES.register(ChaseSource("risk_review", "Risk reviews", "Reviews overdue",
                                           items=risk_reviews_due, order=30))
    """

    kind: str
    label: str
    behind_label: str
    items: Callable[..., list[ChaseItem]]
    order: int
    optional: bool = True


@dataclass(frozen=True)
class SnapshotSection:
    """A block of a snapshot page listing another module's records of the snapshot's unit or person.

    KEY names it in the snapshot's `hidden_sections` (a slug, unique across modules); LABEL heads it
    ("Risks") and names its "Show ..." checkbox in the snapshot form. `items(snapshot, user)` returns
    what TEMPLATE shows (as `items`, beside `snapshot`), bounded and loaded in a fixed number of
    queries whatever the number of records, only what USER may see (through visible_to); or None
    when the section does not apply to that snapshot (one choosing PIs by tags or codes only), so
    the page leaves it out. A module plugs in from its AppConfig.ready():

        SNAPSHOT_SECTIONS.register(SnapshotSection("risks", "Risks", "risks/_snapshot_section.html",
                                                   items=snapshot.snapshot_risks, order=10))
    """

    key: str
    label: str
    template: str
    items: Callable
    order: int


@dataclass(frozen=True)
class ReportSection:
    """A section a report (Report Central) can include.

    KEY (a slug, unique across modules) names it in a report definition's `sections` option; LABEL
    heads it in the report and names its checkbox on the definition form; KINDS lists the report
    kinds that offer it (reports.params.KINDS; empty means every kind) and DEFAULT_FOR the kinds
    that include it unless switched off. `build(context)` takes a reports.params.ReportContext (the
    parameters as run, the period, the person running it, the exception settings) and returns the
    section's content as reports.content blocks, loaded in a fixed number of queries whatever the
    number of rows and only what the runner may see (through visible_to); an empty list when the
    section has nothing to say for that scope and period (the report then says so in one line).
    A module plugs in from its AppConfig.ready():

        REPORT_SECTIONS.register(ReportSection("risk-heatmap", "Risk heat map", risk_heatmap_blocks,
                                               order=60, kinds=frozenset({"board", "risks"})))
    """

    key: str
    label: str
    build: Callable
    order: int
    kinds: frozenset[str] = frozenset()
    default_for: frozenset[str] = frozenset()


NAVIGATION: Registry[NavItem] = Registry(key=lambda item: item.url_name, order=lambda item: item.order)
MY_WORK: Registry[WorkSection] = Registry(key=lambda section: section.title, order=lambda section: section.order)
DEMO_SEEDERS: Registry[DemoSeeder] = Registry(key=lambda seeder: seeder.seed, order=lambda seeder: seeder.order)
LINKED_PANELS: Registry[LinkedPanel] = Registry(key=lambda panel: panel.title, order=lambda panel: panel.order)
# check(pairs) -> the (indicator_id, period) pairs among PAIRS whose measurement has been issued
type PeriodPair = tuple[int, datetime.date]
ISSUED_PERIOD_CHECKS: Registry[Callable[[Collection[PeriodPair]], set[PeriodPair]]] = Registry()
CHASE_SOURCES: Registry[ChaseSource] = Registry(key=lambda source: source.kind, order=lambda source: source.order)
SNAPSHOT_SECTIONS: Registry[SnapshotSection] = Registry(
    key=lambda section: section.key, order=lambda section: section.order
)
REPORT_SECTIONS: Registry[ReportSection] = Registry(
    key=lambda section: section.key, order=lambda section: section.order
)


def issued_periods(pairs: Collection[PeriodPair]) -> set[PeriodPair]:
    """The (indicator_id, period) pairs among PAIRS that any module has issued (frozen); one query
    per registered module whatever the number of pairs."""
    wanted = set(pairs)
    issued: set[PeriodPair] = set()
    if wanted:
        for check in ISSUED_PERIOD_CHECKS:
            issued |= check(wanted) & wanted
    return issued


def is_issued_period(indicator_id: int, period: datetime.date) -> bool:
    """Whether any module has issued (frozen) INDICATOR_ID's measurement of PERIOD."""
    return bool(issued_periods({(indicator_id, period)}))


@dataclass(frozen=True)
class PersonItem:
    """One thing a person owns or updates, as a 1-2-1 meeting lists it and freezes it.

    KIND is the source's key; OBJECT_ID the record. STATUS is the source's status code and
    STATUS_LABEL its word (never shown by colour alone); TONE ("red", "amber", "green", "grey")
    picks the badge's shape and colour. FACTS are (label, text) pairs shown beside it (progress and
    due date, latest value and target, score and review date). ATTENTION marks items to discuss."""

    kind: str
    object_id: int
    code: str
    title: str
    url: str
    status: str
    status_label: str
    tone: str
    facts: tuple[tuple[str, str], ...] = ()
    attention: bool = False


@dataclass(frozen=True)
class PersonItemSource:
    """What a module gives a person to own or update, for their 1-2-1s (people).

    `items(person)` returns a PersonItem for each of PERSON's current records of this kind, in a
    fixed number of queries whatever the number of records. KEY names the kind (unique across
    sources, stored on frozen meeting rows); LABEL heads the section ("Actions"). A module plugs in
    from its AppConfig.ready() (or the people app registers a provider reading the module):

        PERSON_ITEMS.register(PersonItemSource("risk", "Risks", items=person_risks, order=30))
    """

    key: str
    label: str
    items: Callable
    order: int


BRIEFING_SECTIONS: Registry[WorkSection] = Registry(
    key=lambda section: section.title, order=lambda section: section.order
)
PERSON_ITEMS: Registry[PersonItemSource] = Registry(key=lambda source: source.key, order=lambda source: source.order)
