"""Password reset by e-mail (throttled, no account enumeration) and set-password links for new people."""

import re

from django.core import mail
from django.urls import reverse

from pmf.auth import RESET_MAILS_PER_ACCOUNT
from pmf.models import User

LINK = re.compile(r"http://localhost:8000(/accounts/password/reset/[^/]+/[^/]+/)")


def test_a_reset_answers_the_same_for_an_account_and_for_no_account(world, client):
    known = client.post(reverse("password_reset"), {"email": "charlie@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["charlie@example.org"]]
    assert "Choose a new password" in mail.outbox[0].subject


def test_the_emailed_link_sets_a_new_password_once(world, client):
    client.post(reverse("password_reset"), {"email": "charlie@example.org"})
    path = LINK.search(mail.outbox[0].body).group(1)
    page = client.get(path, follow=True)
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-fresh-phrase-31", "new_password2": "a-long-fresh-phrase-31"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    world.updater.refresh_from_db()
    assert world.updater.check_password("a-long-fresh-phrase-31")
    again = client.get(path, follow=True)
    assert "has already been used or has expired" in again.content.decode()


def test_reset_requests_are_throttled_per_account_without_saying_so(world, client):
    for _ in range(RESET_MAILS_PER_ACCOUNT + 2):
        response = client.post(reverse("password_reset"), {"email": "charlie@example.org"})
        assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == RESET_MAILS_PER_ACCOUNT


def test_an_admin_adds_a_person_who_gets_a_link_instead_of_a_typed_password(world, client_for):
    response = client_for(world.admin).post(
        reverse("person-invite"),
        {
            "username": "erin",
            "name": "Erin Officer",
            "email": "erin@example.org",
            "job_title": "Income Officer",
            "org_unit": world.team.pk,
            "role": "updater",
        },
    )
    erin = User.objects.get(username="erin")
    assert response.status_code == 302 and response["Location"] == erin.get_absolute_url()
    assert not erin.has_usable_password()
    assert [message.to for message in mail.outbox] == [["erin@example.org"]]
    assert "Alice Admin has set up your performance management account" in mail.outbox[0].body
    assert LINK.search(mail.outbox[0].body)


def test_a_person_can_only_be_added_in_the_admins_scope(world, client_for):
    response = client_for(world.admin).post(
        reverse("person-invite"),
        {
            "username": "zed",
            "name": "Zed",
            "email": "zed@example.org",
            "org_unit": world.other_group.pk,
            "role": "admin",
        },
    )
    assert response.status_code == 200
    assert "org_unit" in response.context["form"].errors
    assert not User.objects.filter(username="zed").exists()
    assert mail.outbox == []


def test_an_admin_sends_a_fresh_link_to_someone_in_their_scope(world, client_for):
    response = client_for(world.admin).post(reverse("person-set-password-link", kwargs={"pk": world.updater.pk}))
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["charlie@example.org"]]
