"""Shared vocabulary of the URL-walking access test (used by every module's access_urls.py)."""

from django.urls import reverse

LOGIN = "login"
ACTORS = ("anon", "outsider", "viewer", "updater", "manager", "admin")


def check(response, expected, label):
    if expected == LOGIN:
        assert response.status_code == 302, f"{label}: expected a sign-in redirect, got {response.status_code}"
        assert response["Location"].startswith(reverse("login")), f"{label}: redirected to {response['Location']}"
    else:
        assert response.status_code == expected, f"{label}: expected {expected}, got {response.status_code}"
