"""The cycle on real Celery processes (Redis broker, PostgreSQL): the daily job sent twice at once
sends each reminder once; two beat schedulers at once send once; a worker killed with SIGKILL in
the middle of a long import is replaced and the import completes exactly once."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cycle.models import Digest, Job, Notification
from cycle.tests.factories import group_calendar, job_of
from cycle.tests.test_smtp import Recorder, free_port
from indicators.models import ImportRun, Indicator, Measurement
from pmf.tests.services import need_postgres, need_redis

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database, for the worker processes."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Processes:
    """Celery workers and beats started for one test, all on a private queue, stopped after it."""

    def __init__(self, tmp_path: Path, extra_env: dict):
        need_postgres()
        need_redis()
        self.tmp = tmp_path
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.env = {
            **os.environ,
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_QUEUE": self.queue,
            **extra_env,
        }
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, *args: str, ready: str) -> subprocess.Popen:
        log = self.tmp / f"{args[0]}-{len(self.started)}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "pmf", *args, "--loglevel=INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append((process, log))
        deadline = time.monotonic() + 60
        while ready not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery {args[0]} did not start:\n{log.read_text()}")
            time.sleep(0.2)
        return process

    def worker(self, pool: str = "solo", concurrency: int = 1) -> subprocess.Popen:
        name = f"{self.queue}-{len(self.started)}@%h"
        return self.start(
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "-Q",
            self.queue,
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
            ready="ready.",
        )

    def beat(self) -> subprocess.Popen:
        index = len(self.started)
        return self.start(
            "beat",
            "-s",
            str(self.tmp / f"beat-{index}"),
            f"--pidfile={self.tmp / f'beat-{index}.pid'}",
            ready="beat: Starting",
        )

    def logs(self) -> str:
        return "\n".join(log.read_text() for _, log in self.started)

    def stop(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                process.terminate()
        for process, _ in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    made = []

    def make(**extra_env) -> Processes:
        found = Processes(tmp_path, extra_env)
        made.append(found)
        return found

    yield make
    for found in made:
        found.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server in this process; the workers send to it."""
    from aiosmtpd.controller import Controller

    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, {"EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(controller.port)}
    controller.stop()


@pytest.fixture
def everyone_behind(world):
    """Every day is a reminder day: the lead days reach back into the reporting month. charlie
    and a second updater each miss values."""
    from conftest import make_user
    from indicators.tests.factories import team_indicator

    group_calendar(world, reminder_lead_days=27)
    second = make_user("erin", "updater", world.team, name="Erin Updater", line_manager=world.manager)
    team_indicator(world, code="CEL01")
    team_indicator(world, code="CEL02", updater=second)


def wait_for(condition, *, seconds: float, what: str, logs):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"Timed out waiting for {what}:\n{logs()}")


def test_the_daily_job_sent_twice_at_once_sends_each_reminder_once(processes, smtp_server, everyone_behind):
    from cycle.tasks import daily

    server, mail_env = smtp_server
    found = processes(**mail_env)
    found.worker(pool="threads", concurrency=2)
    first = daily.apply_async(queue=found.queue)
    second = daily.apply_async(queue=found.queue)
    answers = [first.get(timeout=60), second.get(timeout=60)]
    third = daily.apply_async(queue=found.queue).get(timeout=60)
    ran = [answer for answer in answers if not answer.get("skipped")]
    assert sum(answer.get("sent", 0) for answer in [*answers, third]) == 2
    assert third["notifications"] == 0 and third["sent"] == 0
    assert ran, answers
    assert sorted(to for to, _ in server.messages) == [["charlie@example.org"], ["erin@example.org"]]
    assert Digest.objects.filter(status=Digest.Status.SENT).count() == 2
    notifications = Notification.objects.count()
    assert notifications >= 2 and Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_two_beat_schedulers_at_once_send_once(processes, smtp_server, everyone_behind):
    server, mail_env = smtp_server
    london = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    fire = (london + datetime.timedelta(minutes=1 if london.second < 45 else 2)).replace(second=0, microsecond=0)
    found = processes(CYCLE_DAILY_AT=f"{fire:%H:%M}", **mail_env)
    found.worker(pool="threads", concurrency=2)
    found.beat()
    found.beat()

    def both_ran():
        finished = [line for line in found.logs().splitlines() if "Task cycle.daily[" in line and "succeeded" in line]
        return len(finished) >= 2

    wait_for(both_ran, seconds=200, what="both beats' daily jobs", logs=found.logs)
    assert sorted(to for to, _ in server.messages) == [["charlie@example.org"], ["erin@example.org"]]
    assert Digest.objects.count() == 2


def test_a_worker_killed_during_a_long_import_is_replaced_and_the_import_completes_once(processes, world):
    from cycle.tasks import run_job

    codes = [f"K{number:04d}" for number in range(2500)]
    Indicator.objects.bulk_create(
        [Indicator(code=code, title=code, unit="percent", org_unit=world.team, updater=world.updater) for code in codes]
    )
    months = [datetime.date(2020 + index // 12, index % 12 + 1, 1) for index in range(60)]
    # "91%" is how people type it: the COPY path steps aside, so the rows are checked one by one.
    lines = ["code,period,value"] + [f"{code},{month:%Y-%m-%d},91%" for code in codes for month in months]
    job = job_of(world.updater, data="\n".join(lines).encode())
    rows = len(lines) - 1
    found = processes(CELERY_TASK_SOFT_TIME_LIMIT="60", CELERY_TASK_TIME_LIMIT="70", CELERY_VISIBILITY_TIMEOUT="75")
    first = found.worker()
    run_job.apply_async(kwargs={"job_id": job.pk}, queue=found.queue)

    from cycle.jobs import progress_of

    def halfway():
        job.refresh_from_db()
        progress = progress_of(job)
        return job.status == Job.Status.RUNNING and 0 < progress["done"] < rows

    wait_for(halfway, seconds=60, what="the import to be under way", logs=found.logs)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert Measurement.objects.count() == 0  # the killed attempt's writes were rolled back
    found.worker()

    def finished():
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished, seconds=240, what="the import to finish on the new worker", logs=found.logs)
    assert (job.status, job.attempts) == (Job.Status.DONE, 2), job.error
    assert job.result["rows"] == rows and job.result["created"] == rows and job.result["committed"] is True
    assert Measurement.objects.count() == rows
    assert ImportRun.objects.count() == 1
