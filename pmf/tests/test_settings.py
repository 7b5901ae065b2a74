"""Start-up configuration: bad environment stops start-up naming the variable; deploy check is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pmf.env import database_config, env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "HTTPS", "ALLOWED_HOSTS"}
}


def start(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SECRET_KEY": "k" * 50, "DATABASE_URL": "mysql://db/pmf"}, "DATABASE_URL"),
        ({"SECRET_KEY": "k" * 50, "REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"SECRET_KEY": "k" * 50, "LOGIN_FAILURE_LIMIT": "five"}, "LOGIN_FAILURE_LIMIT"),
        ({"SECRET_KEY": "k" * 50, "FINANCIAL_YEAR_START_MONTH": "13"}, "FINANCIAL_YEAR_START_MONTH"),
    ],
)
def test_bad_environment_stops_start_up_naming_the_variable(env, named):
    result = start(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_debug_mode_starts_without_a_secret_key():
    result = start({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_is_clean_with_production_settings():
    env = {
        "SECRET_KEY": "x8#kP2!vQz@9mLw$Rt4^Yn7&Bc1*Dh6(Fj3)Gs5_Ua0+Ie2=Ko8-Lp",
        "DEBUG": "0",
        "HTTPS": "1",
        "ALLOWED_HOSTS": "performance.example.org",
        "EMAIL_BACKEND": "smtp",
        "SECURE_HSTS_PRELOAD": "1",
    }
    result = start(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_env_readers(monkeypatch, tmp_path):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("COUNT", " 7 ")
    assert env_int("COUNT", 1) == 7
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    from pmf.env import env_str

    assert env_str("TOKEN") == "from-a-file"
    monkeypatch.setenv("BROKER", "redis://127.0.0.1:6379/2")
    assert env_url("BROKER", ("redis",)) == "redis://127.0.0.1:6379/2"


def test_database_url_must_name_a_database():
    with pytest.raises(ImproperlyConfigured, match="NO_SUCH_VARIABLE_SET must name a database"):
        database_config("NO_SUCH_VARIABLE_SET", "postgres://postgres@127.0.0.1:5432")
    assert database_config("NO_SUCH_VARIABLE_SET", "postgres://u@h:5432/pmf")["NAME"] == "pmf"


def test_postgresql_connections_turn_jit_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("DB_JIT", raising=False)
    assert database_config("NO_SUCH_VARIABLE_SET", "postgres://u@h:5432/pmf")["OPTIONS"] == {"options": "-c jit=off"}
    url = "postgres://u@h:5432/pmf?options=-c%20statement_timeout%3D5000"
    assert database_config("NO_SUCH_VARIABLE_SET", url)["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"
    assert "options" not in database_config("NO_SUCH_VARIABLE_SET", "sqlite:///x.sqlite3").get("OPTIONS", {})
    monkeypatch.setenv("DB_JIT", "1")
    assert "options" not in database_config("NO_SUCH_VARIABLE_SET", "postgres://u@h:5432/pmf").get("OPTIONS", {})
