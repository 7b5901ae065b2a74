import pytest

from plans.tests.factories import plan_world


@pytest.fixture
def plans(world):
    return plan_world(world)
