"""Sign-in: by username or e-mail address, with throttling of repeated failures; password reset by
e-mail (throttled, the same answer whether or not an account exists) and set-password links."""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class EmailOrUsernameBackend(ModelBackend):
    """Signs in by username or e-mail address; every sign-in through it (the sign-in page, the
    admin site's, any other) is throttled by `LoginThrottle`: a refused account or address gets
    no password check, and each failure is counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        identifier = username.strip()
        user = User._default_manager.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).first()
        throttle = LoginThrottle(_account_of(user, identifier), client_address(request))
        if throttle.is_locked():
            return None
        if user is None:
            # Spend the same time as a real check so timing does not reveal who has an account.
            User().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            throttle.reset()
            return user
        throttle.record_failure()
        return None


# How many times the per-account limit one client address may fail before it is refused too:
# a whole organisation behind one proxy shares an address, so one person's mistakes (or one
# locked account) must never lock out everyone else; only a run of failures across many
# accounts, as a password-guessing script makes, reaches this.
ADDRESS_LIMIT_FACTOR = 20


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request else ""


def _account_name(identifier: str) -> str:
    """The name the failures of IDENTIFIER count against (see `_account_of`)."""
    identifier = (identifier or "").strip()
    user = (
        get_user_model()
        ._default_manager.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
        .only("pk")
        .first()
        if identifier
        else None
    )
    return _account_of(user, identifier)


def _account_of(user, identifier: str) -> str:
    """The id of USER, the account IDENTIFIER names, so its username and e-mail address share one
    count; the identifier as typed when it names none."""
    return f"#{user.pk}" if user is not None else identifier


class LoginThrottle:
    """Counts failed sign-ins per account and per client address in the cache.

    After LOGIN_FAILURE_LIMIT failures for one account within LOGIN_LOCKOUT_SECONDS, further
    attempts for that account are refused, even with the right password, until the window ends.
    A client address is refused only after ADDRESS_LIMIT_FACTOR times as many failures, so
    people sharing an address (an office behind one proxy) are not locked out by one another.
    """

    def __init__(self, account: str, address: str):
        """ACCOUNT as `_account_name` gives it; ADDRESS the client's ("" when unknown)."""
        self.account_key = _key("user", account)
        self.address_key = _key("addr", address) if address else None

    @property
    def keys(self) -> list[str]:
        return [self.account_key] + ([self.address_key] if self.address_key else [])

    @staticmethod
    def limits() -> tuple[int, int]:
        """(failures an account may have, failures an address may have) before refusal."""
        return settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_LIMIT * ADDRESS_LIMIT_FACTOR

    def is_locked(self) -> bool:
        counts = cache.get_many(self.keys)
        account_limit, address_limit = self.limits()
        if counts.get(self.account_key, 0) >= account_limit:
            return True
        return self.address_key is not None and counts.get(self.address_key, 0) >= address_limit

    def record_failure(self) -> None:
        for key in self.keys:
            if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
                continue
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)

    def reset(self) -> None:
        """After a successful sign-in: the account's count starts again; the address's stands."""
        cache.delete(self.account_key)


# Password reset e-mails one address may be sent, and requests one client address may make, within
# LOGIN_LOCKOUT_SECONDS: enough for a person who mistyped, too few to flood an inbox.
RESET_MAILS_PER_ACCOUNT = 3
RESET_REQUESTS_PER_ADDRESS = 20


def reset_allowed(email: str, address: str) -> bool:
    """Counts one password reset request for EMAIL from ADDRESS; False once either is over its
    limit. The caller answers the same either way, so nobody learns whether an account exists."""
    allowed = True
    for key, limit in (
        (_key("reset-mail", email), RESET_MAILS_PER_ACCOUNT),
        (_key("reset-addr", address), RESET_REQUESTS_PER_ADDRESS),
    ):
        if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
            continue
        allowed = allowed and count <= limit
    return allowed


class PasswordResetRequestView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"

    """Django's password reset by e-mail, throttled by `reset_allowed`. Every request, for an
    address with an account or not, over the limit or not, ends on the same "check your e-mail"
    page; only an active account with that address gets a message (Django's rule)."""

    def form_valid(self, form):
        if not reset_allowed(form.cleaned_data["email"], client_address(self.request)):
            return HttpResponseRedirect(self.get_success_url())
        # Links start with the configured address, never with the Host header of the request.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


def send_set_password_link(*, user, request) -> None:
    """E-mails USER a link to choose their password (for a new person, instead of a typed one):
    the password reset message with its one-time token. Side effect: one e-mail."""
    form = PasswordResetForm()
    form.send_mail(
        "registration/set_password_subject.txt",
        "registration/set_password_email.txt",
        {
            "email": user.email,
            "site_url": settings.SITE_URL,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "invited_by": request.user,
        },
        settings.DEFAULT_FROM_EMAIL,
        user.email,
    )


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Username or email address",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )

    error_messages = {
        "invalid_login": (
            "That username or email address and password do not match an account. Check them and try again."
        ),
        "inactive": "This account has been switched off. Ask the performance team to restore it.",
        "locked": "Too many failed sign-in attempts. For your security, signing in is paused for %(minutes)d minutes.",
    }

    def clean(self):
        # The backend counts failures and refuses a locked account or address; asking first here
        # gives the person the reason instead of "do not match".
        throttle = LoginThrottle(_account_name(self.data.get("username", "")), client_address(self.request))
        if throttle.is_locked():
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
        return super().clean()
