"""A named lease: a lock held in a database row until it expires, so that two schedulers, a
retry or a second worker never run the same job at once, and a holder that died (its worker
killed) stops holding it when the lease runs out.

Taking the lease is one UPDATE ... WHERE expires_at <= now: the database lets one caller win,
on PostgreSQL and SQLite alike. The holder renews it while it works."""

import contextlib
import datetime
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from cycle.models import Lease


class LeaseLost(RuntimeError):
    """The lease ran out and someone else took it; the holder must stop."""


@dataclass
class Held:
    name: str
    token: str
    seconds: int
    acquired: bool

    def renew(self) -> None:
        """Keep the lease for another SECONDS; raises LeaseLost if it is no longer ours."""
        if not self.acquired:
            return
        until = timezone.now() + datetime.timedelta(seconds=self.seconds)
        if not Lease.objects.filter(name=self.name, holder=self.token).update(expires_at=until):
            raise LeaseLost(f"The {self.name} lease was taken by another holder.")


@contextlib.contextmanager
def lease(name: str, *, seconds: int = 600):
    """Hold lease NAME for SECONDS (renewable) while the block runs; `held.acquired` is False when
    someone else holds it. Released at the end of the block."""
    now = timezone.now()
    if not Lease.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, expires_at=now - datetime.timedelta(seconds=1))
        except IntegrityError:
            pass  # created at the same moment by the other contender
    token = uuid.uuid4().hex
    acquired = bool(
        Lease.objects.filter(name=name, expires_at__lte=now).update(
            holder=token, expires_at=now + datetime.timedelta(seconds=seconds)
        )
    )
    held = Held(name, token, seconds, acquired)
    try:
        yield held
    finally:
        if acquired:
            Lease.objects.filter(name=name, holder=token).update(expires_at=timezone.now())
