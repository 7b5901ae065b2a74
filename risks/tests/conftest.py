import pytest

from risks.tests.factories import risk_world


@pytest.fixture
def risks(world):
    return risk_world(world)
