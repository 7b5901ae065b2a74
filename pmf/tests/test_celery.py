"""A task's round trip through a real Celery worker on Redis."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from pmf.tasks import ping
from pmf.tests.services import need_redis

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    need_redis()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = ROOT / f".pytest_cache/worker-{queue}.log"
    log.parent.mkdir(exist_ok=True)
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL, "SECRET_KEY": settings.SECRET_KEY}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pmf",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in log.read_text():
                break
            if process.poll() is not None:
                pytest.fail(f"Celery worker exited early:\n{log.read_text()}")
            time.sleep(0.2)
        else:
            pytest.fail(f"Celery worker did not become ready:\n{log.read_text()}")
        yield {"queue": queue, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)


@pytest.mark.services
def test_task_round_trip_through_a_real_worker(worker):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    result = ping.apply_async(queue=worker["queue"])
    answer = result.get(timeout=30)
    assert answer == {"pong": True, "worker": f"{worker['queue']}@{os.uname().nodename}", "eager": False}
    assert result.status == "SUCCESS"


def test_without_a_broker_tasks_run_eagerly_in_process(settings):
    if settings.REDIS_URL:
        pytest.skip("This run has a broker; the eager mode is checked in runs without REDIS_URL.")
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    answer = ping.delay().get()
    assert answer["pong"] is True
    assert answer["eager"] is True
