import pytest
from django.urls import reverse

from conftest import PASSWORD


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize("identifier", ["charlie", "CHARLIE", "charlie@example.org", "Charlie@Example.org"])
def test_sign_in_by_username_or_email_in_any_case(world, client, identifier):
    response = sign_in(client, identifier)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(world.updater.pk)


def test_wrong_password_gets_a_clear_message_and_no_session(world, client):
    response = sign_in(client, "charlie", "wrong-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_even_for_the_right_password(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert sign_in(client, "charlie", "nope").status_code == 200
    response = sign_in(client, "charlie")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_from_one_address_lock_that_address_across_accounts(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for name in ("x1", "x2", "x3"):
        sign_in(client, name, "nope")
    response = sign_in(client, "bob")
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_success_before_the_limit_clears_the_account_count(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    sign_in(client, "charlie", "nope")
    sign_in(client, "charlie", "nope")
    assert sign_in(client, "charlie").status_code == 302
    client.logout()
    # The address count still stands at 2, so a third failure locks; the account count was reset.
    sign_in(client, "charlie", "nope")
    assert "Too many failed" in sign_in(client, "charlie").content.decode()


def test_inactive_people_cannot_sign_in(world, client):
    world.updater.is_active = False
    world.updater.save()
    response = sign_in(client, "charlie")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post_and_ends_the_session(world, client):
    client.force_login(world.viewer)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_checks_the_old_password(world, client):
    client.force_login(world.viewer)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": "a-long-new-phrase-77", "new_password2": "a-long-new-phrase-77"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-long-new-phrase-77", "new_password2": "a-long-new-phrase-77"},
    )
    assert response.status_code == 302
    world.viewer.refresh_from_db()
    assert world.viewer.check_password("a-long-new-phrase-77")


def test_admin_role_has_every_permission_and_reaches_the_admin_site(world):
    assert world.admin.is_staff is True
    assert world.admin.has_perm("pmf.change_orgunit")
    assert not world.manager.has_perm("pmf.change_orgunit")
