"""Sign-in: by username or e-mail address, with throttling of repeated failures."""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.db.models import Q


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        identifier = username.strip()
        user = User._default_manager.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal who has an account.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    # The performance team configures everything, including in the admin site.
    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and getattr(user_obj, "role", None) == "admin":
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and getattr(user_obj, "role", None) == "admin":
            return True
        return super().has_module_perms(user_obj, app_label)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request else ""


class LoginThrottle:
    """Counts failed sign-ins per account name and per client address in the cache.

    After LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_SECONDS, further attempts for that
    account or from that address are refused, even with the right password, until the window ends.
    """

    def __init__(self, username: str, address: str):
        self.keys = [_key("user", username or "")]
        if address:
            self.keys.append(_key("addr", address))

    def is_locked(self) -> bool:
        counts = cache.get_many(self.keys)
        return any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values())

    def record_failure(self) -> None:
        for key in self.keys:
            if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
                continue
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)

    def reset(self) -> None:
        cache.delete(self.keys[0])


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
        throttle = LoginThrottle(self.data.get("username", ""), client_address(self.request))
        if throttle.is_locked():
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure()
            raise
        throttle.reset()
        return cleaned
