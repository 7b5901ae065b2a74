import pytest
from django.urls import reverse

from conftest import PASSWORD
from pmf.auth import ADDRESS_LIMIT_FACTOR


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


def test_failures_by_username_and_email_count_against_the_same_account(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    sign_in(client, "charlie", "nope")
    sign_in(client, "Charlie@Example.org", "nope")
    sign_in(client, "CHARLIE", "nope")
    assert "Too many failed sign-in attempts" in sign_in(client, "charlie@example.org").content.decode()
    assert "_auth_user_id" not in client.session


def test_one_locked_account_does_not_lock_others_at_the_same_address(world, client, settings):
    # Five bad passwords for one account from an office's shared address.
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        sign_in(client, "charlie", "nope")
    assert "Too many failed sign-in attempts" in sign_in(client, "charlie").content.decode()
    response = sign_in(client, "bob")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.manager.pk)


def test_an_address_is_refused_only_after_many_failures_across_accounts(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    address_limit = 2 * ADDRESS_LIMIT_FACTOR
    for number in range(address_limit - 1):
        sign_in(client, f"guess{number}", "nope")
    assert sign_in(client, "bob").status_code == 302
    client.logout()
    sign_in(client, "one-more-guess", "nope")
    response = sign_in(client, "bob")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Another address is not affected.
    other = client.post(reverse("login"), {"username": "dora", "password": PASSWORD}, REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 302


def test_failures_on_the_admin_sign_in_count_and_lock_the_same_account(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post(reverse("admin:login"), {"username": "alice", "password": "nope"})
        assert response.status_code == 200
    # The right password is refused on the admin site's sign-in and on the product's.
    client.post(reverse("admin:login"), {"username": "alice", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts" in sign_in(client, "alice").content.decode()


def test_success_before_the_limit_clears_the_account_count(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    sign_in(client, "charlie", "nope")
    sign_in(client, "charlie", "nope")
    assert sign_in(client, "charlie").status_code == 302
    client.logout()
    # The account count started again: two more failures still let the right password in ...
    sign_in(client, "charlie", "nope")
    sign_in(client, "charlie", "nope")
    assert sign_in(client, "charlie").status_code == 302
    client.logout()
    # ... and three in a row lock the account.
    for _ in range(3):
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


def test_only_a_superuser_has_the_admin_sites_permissions(world):
    from conftest import make_user

    operator = make_user("operator", "viewer", None, is_superuser=True)
    assert operator.has_perm("pmf.change_orgunit")
    assert not world.admin.has_perm("pmf.change_orgunit")
    assert not world.manager.has_perm("pmf.change_orgunit")
