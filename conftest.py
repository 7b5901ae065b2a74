"""Shared fixtures: an organisation with a person of every role, and an outsider from another group."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache

from pmf.models import OrgUnit, User

PASSWORD = "correct-horse-battery"

# Real hashing costs ~0.5 s a password; the suite checks our code, not PBKDF2.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # Login throttling keeps counts in the cache (Redis under CI); each test starts clean.
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process, inside the test's transaction, unless the test is about the real
    worker (marked `services`). Without this, a `.delay().get()` under REDIS_URL would wait for a
    worker that is not there."""
    if request.node.get_closest_marker("services"):
        yield
        return
    from pmf.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@dataclass
class World:
    group: OrgUnit
    org: OrgUnit
    directorate: OrgUnit
    service: OrgUnit
    team: OrgUnit
    other_directorate: OrgUnit
    other_group: OrgUnit
    admin: User
    manager: User
    updater: User
    viewer: User
    outsider: User

    def actor(self, name: str) -> User | None:
        return None if name == "anon" else getattr(self, name)


def make_user(username: str, role: str, unit: OrgUnit | None, **extra) -> User:
    user = User(
        username=username,
        name=extra.pop("name", username.title()),
        email=f"{username}@example.org",
        role=role,
        org_unit=unit,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(db) -> World:
    K = OrgUnit.Kind
    group = OrgUnit.objects.create(name="Alpha Group", code="alpha", kind=K.GROUP)
    org = OrgUnit.objects.create(name="Alpha Homes", code="alpha-homes", kind=K.ORGANISATION, parent=group)
    directorate = OrgUnit.objects.create(name="Housing", code="alpha-housing", kind=K.DIRECTORATE, parent=org)
    service = OrgUnit.objects.create(name="Income", code="alpha-income", kind=K.SERVICE, parent=directorate)
    team = OrgUnit.objects.create(name="Rents Team", code="alpha-rents", kind=K.TEAM, parent=service)
    other_directorate = OrgUnit.objects.create(name="Property", code="alpha-property", kind=K.DIRECTORATE, parent=org)
    other_group = OrgUnit.objects.create(name="Beta Group", code="beta", kind=K.GROUP)
    admin = make_user("alice", "admin", group, name="Alice Admin")
    manager = make_user("bob", "manager", directorate, name="Bob Manager")
    updater = make_user("charlie", "updater", team, name="Charlie Updater", line_manager=manager)
    viewer = make_user("dora", "viewer", org, name="Dora Viewer")
    outsider = make_user("olga", "manager", other_group, name="Olga Outsider")
    return World(
        group,
        org,
        directorate,
        service,
        team,
        other_directorate,
        other_group,
        admin,
        manager,
        updater,
        viewer,
        outsider,
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as USER (or anonymous for None)."""

    def _client(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _client


@pytest.fixture
def browser():
    """Headless Debian Chromium through Playwright; see pmf/tests/browser.py."""
    from pmf.tests.browser import launch_browser

    yield from launch_browser()
