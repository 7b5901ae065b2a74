"""E-mail of notifications: one digest per person per day (HTML and plain text through Django's
e-mail backend), and the chases sent at once.

Sending is at most once: a digest is claimed (status "sending") before its e-mail goes and
marked "sent" right after, in chunks, so a worker killed mid-run leaves at most one chunk
claimed and unsent rather than sending anything twice; those stay listed as "sending" on the
failed list. A digest the mail server refused or did not answer stays "failed", with its
notifications unsent and visible, and is tried again later (up to MAX_ATTEMPTS); the other
digests still go. A person with no e-mail address, or no longer active, gets no e-mail; their
notifications stay in the app and the digest is marked "skipped" with the reason.
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from itertools import batched

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from cycle.models import Digest, DigestPreference, Kind, Notification
from pmf.registry import CHASE_SOURCES

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CHUNK = 200
# After this many messages in a row fail to reach the server, the rest of the run waits for the
# retry instead of each waiting for its own timeout.
CONNECTION_FAILURES_BEFORE_STOP = 3
CONNECTION_ERRORS = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)

# The order of the sections of a digest: deadlines first.
SECTION_ORDER = [
    Kind.CHASE,
    Kind.VALUES_OVERDUE,
    Kind.VALUES_DUE,
    Kind.RED_COMMENTARY,
    Kind.APPROVAL_DUE,
    Kind.ESCALATION_DIRECTOR,
    Kind.ESCALATION_MANAGER,
    Kind.ACTION_DUE,
    Kind.ACTION_STALE,
]


@dataclass
class SendOutcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def kind_label(kind: str) -> str:
    """The heading of a kind of notification (the built-in ones and the chase sources')."""
    if kind in Kind.values:
        return Kind(kind).label
    for source in CHASE_SOURCES:
        if source.kind == kind:
            return source.label
    return kind.replace("_", " ").capitalize()


def sections(notifications: list[Notification]) -> list[tuple[str, list[Notification]]]:
    """NOTIFICATIONS grouped by kind under their headings, deadlines first."""
    grouped = defaultdict(list)
    for notification in notifications:
        grouped[notification.kind].append(notification)
    order = {kind: index for index, kind in enumerate(SECTION_ORDER)}
    kinds = sorted(grouped, key=lambda kind: (order.get(kind, len(order)), kind))
    return [(kind_label(kind), grouped[kind]) for kind in kinds]


def build_message(digest: Digest, notifications: list[Notification]) -> EmailMultiAlternatives:
    """The e-mail of DIGEST: every notification with its link, in HTML and plain text."""
    person = digest.recipient
    count = len(notifications)
    if digest.kind == Digest.Kind.CHASE:
        subject = notifications[0].title if notifications else "A reminder from your manager"
    else:
        subject = f"{count} performance reminder{'s' if count != 1 else ''} for {digest.day:%A %-d %B}"
    context = {
        "person": person,
        "digest": digest,
        "sections": sections(notifications),
        "site": settings.SITE_URL,
        "count": count,
        "items": _chase_items(person, digest) if digest.kind == Digest.Kind.CHASE else [],
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("cycle/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    message.attach_alternative(render_to_string("cycle/email/digest.html", context), "text/html")
    return message


def _chase_items(person, digest: Digest) -> list:
    """What a chased person is behind on, as the chase e-mail lists it (read when it is sent)."""
    from cycle import chase

    found = chase.person_items(person, chase.reporting_month(digest.day), digest.day)
    labels = dict(chase.categories())
    return [(labels.get(category, category), items) for category, items in found.items() if items]


class Mailer:
    """One connection to the mail server for a run, reopened after a failure; gives up for the
    run after CONNECTION_FAILURES_BEFORE_STOP failures in a row to reach it."""

    def __init__(self):
        self.connection = mail.mailers.default
        self.failures_in_a_row = 0
        self.stopped = ""

    def send(self, message: EmailMultiAlternatives) -> None:
        try:
            self.connection.open()
            self.connection.send_messages([message])
        except CONNECTION_ERRORS as exc:
            self.failures_in_a_row += 1
            self._reset()
            if self.failures_in_a_row >= CONNECTION_FAILURES_BEFORE_STOP:
                self.stopped = f"Not sent: the mail server could not be reached ({describe(exc)}); tried again later."
            raise
        except smtplib.SMTPException:
            self.failures_in_a_row = 0
            self._reset()
            raise
        self.failures_in_a_row = 0

    def _reset(self) -> None:
        try:
            self.connection.close()
        except (OSError, smtplib.SMTPException):
            log.info("Closing the mail connection after a failure failed too; a new one is opened.")

    def close(self) -> None:
        self._reset()


def describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:480]


def _eligible(today: datetime.date):
    """Notifications raised up to TODAY not yet in a digest, less the optional ones held for a
    weekly digest on another weekday."""
    holding = DigestPreference.objects.filter(frequency=DigestPreference.Frequency.WEEKLY).exclude(
        weekday=today.weekday()
    )
    return Notification.objects.filter(digest__isnull=True, day__lte=today).exclude(
        Q(weekly=True) & Q(recipient__in=holding.values("user"))
    )


def send_due(*, today: datetime.date, renew=lambda: None) -> SendOutcome:
    """Try the failed digests again, then send TODAY's digest to everyone with notifications not
    yet e-mailed. Side effects: Digest rows (sent, failed or skipped), notifications stamped
    e-mailed, e-mails. Called under the daily job's lease; RENEW keeps it."""
    outcome = retry_failed(renew=renew)
    already = set(Digest.objects.filter(day=today, kind=Digest.Kind.DAILY).values_list("recipient_id", flat=True))
    recipients = sorted(set(_eligible(today).values_list("recipient_id", flat=True)) - already)
    mailer = Mailer()
    try:
        for chunk in batched(recipients, CHUNK):
            with transaction.atomic():
                Digest.objects.bulk_create(
                    [Digest(recipient_id=pk, day=today, kind=Digest.Kind.DAILY, attempts=1) for pk in chunk]
                )
                _eligible(today).filter(recipient_id__in=chunk).update(
                    digest=Subquery(
                        Digest.objects.filter(
                            recipient_id=OuterRef("recipient_id"), day=today, kind=Digest.Kind.DAILY
                        ).values("pk")[:1]
                    )
                )
            digests = Digest.objects.filter(recipient_id__in=chunk, day=today, kind=Digest.Kind.DAILY)
            _deliver(list(digests.select_related("recipient")), mailer, outcome)
            renew()
    finally:
        mailer.close()
    return outcome


def retry_failed(*, renew=lambda: None) -> SendOutcome:
    """Send again every failed digest with attempts left."""
    outcome = SendOutcome()
    failed = list(
        Digest.objects.filter(status=Digest.Status.FAILED, attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not failed:
        return outcome
    mailer = Mailer()
    try:
        for chunk in batched(failed, CHUNK):
            Digest.objects.filter(pk__in=chunk, status=Digest.Status.FAILED).update(
                status=Digest.Status.SENDING, attempts=F("attempts") + 1
            )
            _deliver(
                list(Digest.objects.filter(pk__in=chunk, status=Digest.Status.SENDING).select_related("recipient")),
                mailer,
                outcome,
            )
            renew()
    finally:
        mailer.close()
    return outcome


def send_one(*, digest_id: int) -> SendOutcome:
    """Send a digest made to go at once (a chase): claimed first, so a second delivery of the
    task sends nothing."""
    outcome = SendOutcome()
    if not Digest.objects.filter(pk=digest_id, status=Digest.Status.SENDING, attempts=0).update(attempts=1):
        return outcome
    mailer = Mailer()
    try:
        _deliver(list(Digest.objects.filter(pk=digest_id).select_related("recipient")), mailer, outcome)
    finally:
        mailer.close()
    return outcome


def _deliver(digests: list[Digest], mailer: Mailer, outcome: SendOutcome) -> None:
    """Send each of DIGESTS (claimed, status "sending") and record what happened to it."""
    notes = defaultdict(list)
    listed = Notification.objects.filter(digest__in=digests).only("digest_id", "kind", "title", "url", "due")
    for notification in listed.order_by("due", "title", "pk"):
        notes[notification.digest_id].append(notification)
    sent, failed, skipped = [], defaultdict(list), defaultdict(list)
    for digest in digests:
        person = digest.recipient
        if not person.is_active:
            skipped["Not sent: the person is no longer active."].append(digest.pk)
        elif not person.email:
            skipped["Not sent: the person has no e-mail address."].append(digest.pk)
        elif mailer.stopped:
            failed[mailer.stopped].append(digest.pk)
        elif not notes[digest.pk]:
            skipped["Nothing to send."].append(digest.pk)
        else:
            try:
                mailer.send(build_message(digest, notes[digest.pk]))
            except (*CONNECTION_ERRORS, smtplib.SMTPException, ValueError) as exc:
                log.warning("Digest %s to %s not sent: %s", digest.pk, person.email, exc)
                failed[f"Not sent, to be tried again: {describe(exc)}"].append(digest.pk)
            else:
                sent.append(digest.pk)
    now = timezone.now()
    if sent:
        Digest.objects.filter(pk__in=sent).update(status=Digest.Status.SENT, sent_at=now, error="")
        Notification.objects.filter(digest_id__in=sent).update(emailed_at=now)
    for error, pks in failed.items():
        Digest.objects.filter(pk__in=pks).update(status=Digest.Status.FAILED, error=error[:500])
    for reason, pks in skipped.items():
        Digest.objects.filter(pk__in=pks).update(status=Digest.Status.SKIPPED, error=reason)
    outcome.sent += len(sent)
    outcome.failed += sum(len(pks) for pks in failed.values())
    outcome.skipped += sum(len(pks) for pks in skipped.values())
