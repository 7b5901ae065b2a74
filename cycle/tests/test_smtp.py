"""Digests through a real SMTP server (aiosmtpd on a local port) with Django's smtp backend: who
gets mail, its subject and links; a server that refuses or does not answer leaves the digest
unsent and visible, the others still go, and it is sent later, once."""

import datetime
import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from conftest import make_user
from cycle import digests, services
from cycle.models import Digest, Notification
from cycle.tests.factories import day
from indicators.tests.factories import team_indicator

TODAY = day("2026-02-12")


class Recorder:
    """An SMTP server's handler that keeps every message and refuses the addresses in REFUSE."""

    def __init__(self, refuse=()):
        self.messages = []
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server; settings point the smtp backend at it."""
    servers = []

    def start(refuse=()):
        handler = Recorder(refuse)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 2},
            }
        }
        return handler

    yield start
    for controller in servers:
        controller.stop()


@pytest.fixture
def silent_server(settings):
    """A server that accepts connections and never answers (a mail server that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": listener.getsockname()[1], "timeout": 1},
        }
    }
    yield
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def behind(world):
    """charlie misses two PIs' January values; dora (a second updater) misses one."""
    dora = make_user("dora2", "updater", world.team, name="Dora Updater", line_manager=world.manager)
    team_indicator(world, code="INC01", title="Rent collected")
    team_indicator(world, code="INC02", title="Arrears")
    team_indicator(world, code="INC03", title="Voids", updater=dora)
    return dora


def html_of(message) -> str:
    return next(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/html"
    )


def text_of(message) -> str:
    return next(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/plain"
    )


def test_one_digest_per_person_with_subject_and_links_through_smtp(world, behind, smtp, settings):
    settings.SITE_URL = "https://performance.example.org"
    server = smtp()
    world.viewer.is_active = False
    world.viewer.save()
    Notification.objects.create(recipient=world.viewer, kind="values_due", key="old", title="Old", day=TODAY)
    services.run_daily(today=TODAY)
    received = sorted((to, message["Subject"]) for to, message in server.messages)
    assert received == [
        (["charlie@example.org"], "2 performance reminders for Thursday 12 February"),
        (["dora2@example.org"], "1 performance reminder for Thursday 12 February"),
    ]
    charlie = next(message for to, message in server.messages if to == ["charlie@example.org"])
    assert charlie["From"] == settings.DEFAULT_FROM_EMAIL
    pk = Notification.objects.get(title__startswith="Enter INC01").object_id
    link = f"https://performance.example.org/indicators/{pk}/values/2026-01-01/"
    assert f'<a href="{link}">Enter INC01 Rent collected for Jan 2026: due Sat 14 Feb</a>' in html_of(charlie)
    assert f"- Enter INC01 Rent collected for Jan 2026: due Sat 14 Feb: {link}" in text_of(charlie)
    assert "https://performance.example.org/cycle/preferences/" in text_of(charlie)
    # the inactive person gets nothing; the reminder stays, marked not sent
    assert Digest.objects.get(recipient=world.viewer).error == "Not sent: the person is no longer active."


def test_a_refused_address_stays_unsent_and_visible_the_others_go_and_it_is_retried_once(world, behind, smtp):
    refusing = smtp(refuse={"charlie@example.org"})
    outcome = services.run_daily(today=TODAY)
    assert (outcome.sent, outcome.failed) == (1, 1)
    assert [to for to, _ in refusing.messages] == [["dora2@example.org"]]
    failed = Digest.objects.get(recipient=world.updater)
    assert failed.status == Digest.Status.FAILED
    assert failed.error.startswith("Not sent, to be tried again: SMTPRecipientsRefused")
    assert Notification.objects.filter(recipient=world.updater, emailed_at__isnull=True).count() == 2
    accepting = smtp()
    retried = digests.retry_failed()
    assert (retried.sent, retried.failed) == (1, 0)
    assert [to for to, _ in accepting.messages] == [["charlie@example.org"]]
    assert digests.retry_failed().sent == 0
    services.run_daily(today=TODAY)
    assert len(accepting.messages) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Digest.Status.SENT, 2)


def test_a_server_that_does_not_answer_fails_the_run_quickly_and_the_mail_goes_later(
    world, behind, silent_server, smtp
):
    started = datetime.datetime.now()
    outcome = services.run_daily(today=TODAY)
    assert (outcome.sent, outcome.failed) == (0, 2)
    assert (datetime.datetime.now() - started).total_seconds() < 10
    errors = set(Digest.objects.values_list("error", flat=True))
    assert errors == {"Not sent, to be tried again: SMTPServerDisconnected: Connection unexpectedly closed: timed out"}
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 3
    server = smtp()
    digests.retry_failed()
    assert sorted(to for to, _ in server.messages) == [["charlie@example.org"], ["dora2@example.org"]]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
