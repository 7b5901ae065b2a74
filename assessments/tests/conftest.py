import pytest

from assessments.tests.factories import assessment_world


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence files written by these tests go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def aw(world):
    return assessment_world(world)
