import pytest

from scorecards.tests.factories import make_indicator


@pytest.fixture
def pis(world):
    """A in the Rents Team (managed by Bob, updated by Charlie), B in the Income service (managed by
    Bob), C in the Property directorate (nobody's)."""
    return {
        "A": make_indicator("PIA", world.team, owner=world.manager, updater=world.updater),
        "B": make_indicator("PIB", world.service, owner=world.manager),
        "C": make_indicator("PIC", world.other_directorate),
    }
