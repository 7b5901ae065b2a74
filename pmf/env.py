"""Typed reading of environment variables.

Every reader names the variable in its error so a bad deployment stops at start-up
with a message that says what to fix.
"""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    """Value of NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            with open(file_name, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to {file_name!r}, which cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, schemes: tuple[str, ...], default: str = "") -> str:
    """A URL whose scheme must be one of SCHEMES; empty means unset."""
    value = env_str(name, default).strip()
    if not value:
        return ""
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}; got {value!r}."
        )
    return value


def database_config(name: str, default: str) -> dict:
    """DATABASES['default'] from a database URL, with a clear error for a malformed one."""
    import dj_database_url

    value = env_str(name, default).strip() or default
    scheme = urlparse(value).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"{name} must be a sqlite:// or postgres:// URL; got {value!r}.")
    try:
        max_age = env_int("DB_CONN_MAX_AGE", 60) if scheme != "sqlite" else 0
        config = dj_database_url.parse(value, conn_max_age=max_age)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL ({exc}); got {value!r}.") from exc
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://user@host:5432/pmf; got {value!r}.")
    if scheme != "sqlite" and not env_bool("DB_JIT", False):
        # PostgreSQL's JIT compiles large queries (an export, a director's lists) for 50-850 ms each time
        # and wins nothing back on queries this short-lived; options in the URL are kept.
        options = config.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
    return config
