"""Gates for tests that need a real service or a browser.

Without the service the test is skipped, unless REQUIRE_SERVICES=1 / REQUIRE_BROWSER=1 (as CI
sets), when the absence is a failure: CI can never silently skip them."""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

CHROMIUM = "/usr/bin/chromium"


def _required(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}


def need(condition: bool, what: str, variable: str = "REQUIRE_SERVICES") -> None:
    if condition:
        return
    if _required(variable):
        pytest.fail(f"{what} is required ({variable}=1) but not available.")
    pytest.skip(f"{what} not available.")


def need_redis() -> None:
    need(bool(settings.REDIS_URL), "Redis (REDIS_URL)")


def need_postgres() -> None:
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


def need_chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    need(bool(path), "Chromium", "REQUIRE_BROWSER")
    return path
