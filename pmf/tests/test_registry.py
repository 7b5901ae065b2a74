"""pmf/registry.py: one registry helper behind every extension list."""

import datetime

from pmf import registry
from pmf.registry import Registry


def test_a_registry_keeps_one_entry_per_key_in_order():
    entries = Registry(key=lambda entry: entry[0], order=lambda entry: entry[1])
    entries.register(("b", 20))
    entries.register(("a", 10))
    entries.register(("b", 5))
    assert list(entries) == [("a", 10), ("b", 20)]
    entries.remove(("a", 10))
    assert (list(entries), len(entries)) == ([("b", 20)], 1)


def test_a_registry_without_an_order_keeps_registration_order():
    def second(indicator_id, period):
        return False

    def first(indicator_id, period):
        return True

    checks = Registry()
    for check in (second, first, second):
        checks.register(check)
    assert list(checks) == [second, first]


def test_each_module_registers_once_and_the_lists_keep_their_order():
    nav = [item.url_name for item in registry.NAVIGATION]
    known = ["home", "plan-tree", "indicator-list", "indicator-monthly-update", "snapshot-list", "scorecard-list"]
    assert [name for name in nav if name in known] == known
    assert len(nav) == len(set(nav))
    work = [section.title for section in registry.MY_WORK]
    known = ["My actions", "PIs to update this month", "My snapshot", "My direct reports"]
    assert [title for title in work if title in known] == known
    orders = [seeder.order for seeder in registry.DEMO_SEEDERS]
    assert orders == sorted(orders) and {10, 20, 40} <= set(orders)
    assert "Performance indicators" in [panel.title for panel in registry.LINKED_PANELS]


def test_issued_period_checks_come_from_the_registry(world):
    day = datetime.date(2025, 1, 1)

    def january(pairs):
        return {(indicator_id, period) for indicator_id, period in pairs if period == day}

    assert registry.is_issued_period(1, day) is False
    registry.ISSUED_PERIOD_CHECKS.register(january)
    try:
        assert registry.is_issued_period(1, day) is True
        assert registry.is_issued_period(1, datetime.date(2025, 2, 1)) is False
        assert registry.issued_periods([(1, day), (2, day), (1, datetime.date(2025, 2, 1))]) == {(1, day), (2, day)}
        assert registry.issued_periods([]) == set()
    finally:
        registry.ISSUED_PERIOD_CHECKS.remove(january)
