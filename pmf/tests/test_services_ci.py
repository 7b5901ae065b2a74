"""CI must run on PostgreSQL and Redis: with REQUIRE_SERVICES=1 these fail if either is missing."""

import pytest
from django.core.cache import cache, caches
from django.db import connection

from pmf.tests.services import need_postgres, need_redis


@pytest.mark.services
@pytest.mark.django_db
def test_database_is_postgresql_when_services_are_required():
    need_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    assert int(version.split(".")[0]) >= 13


@pytest.mark.services
def test_cache_is_redis_when_services_are_required():
    need_redis()
    cache.set("ci-probe", {"n": 1}, 10)
    assert cache.get("ci-probe") == {"n": 1}
    assert type(caches["default"]).__name__ == "RedisCache"
