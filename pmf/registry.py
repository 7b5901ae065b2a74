"""Extension points the modules fill in from their AppConfig.ready().

- Navigation: each module adds its entry, with the roles that see it.
- My work: each module adds a section listing what is assigned to the signed-in person.
- Golden-thread panels: each module adds what it links to a plan item (used by plans).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"admin", "manager", "updater", "viewer"}))

    def visible_for(self, user) -> bool:
        role = "admin" if user.is_superuser else user.role
        return role in self.roles

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


NAVIGATION: list[NavItem] = []
MY_WORK: list[WorkSection] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAVIGATION):
        NAVIGATION.append(item)
        NAVIGATION.sort(key=lambda entry: entry.order)


def register_my_work(section: WorkSection) -> None:
    if all(existing.title != section.title for existing in MY_WORK):
        MY_WORK.append(section)
        MY_WORK.sort(key=lambda entry: entry.order)


# Each module adds a function taking the organisation made by pmf.demo.seed_organisation() and
# creating its own demo content idempotently; seed_demo runs them in order.
DEMO_SEEDERS: list[tuple[int, Callable]] = []


def register_demo_seeder(order: int, seeder: Callable) -> None:
    if all(existing is not seeder for _, existing in DEMO_SEEDERS):
        DEMO_SEEDERS.append((order, seeder))
        DEMO_SEEDERS.sort(key=lambda entry: entry[0])


@dataclass(frozen=True)
class LinkedPanel:
    """A block on a plan item's golden-thread panel listing what another module links to it.

    `items(plan_item, user)` returns the linked objects USER may see (through visible_to)."""

    title: str
    template: str
    items: Callable
    order: int


LINKED_PANELS: list[LinkedPanel] = []


def register_linked_panel(panel: LinkedPanel) -> None:
    if all(existing.title != panel.title for existing in LINKED_PANELS):
        LINKED_PANELS.append(panel)
        LINKED_PANELS.sort(key=lambda entry: entry.order)
