"""Walks the demo as each role, following the links the pages show: no link leads to a refusal or an error.

Pages should offer only what the person may do, so a link that answers 403 (or 404, or 500) is a bug."""

import collections
import io
import re

import pytest
from django.core.management import call_command

from pmf.models import User

SKIP = re.compile(r"^/(admin/|accounts/logout|static/|media/)|export|\.csv|\.json|\.xlsx|^/public/.*/download")
PAGES_PER_ROLE = 120
SAME_SHAPE = 3  # links of the same shape (ids replaced) followed per role


def crawl(client, start="/"):
    seen, queue, shapes, bad = set(), collections.deque([start]), collections.Counter(), []
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code not in (200, 302):
            bad.append((url, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = href.replace("&amp;", "&")
            shape = re.sub(r"\d+", "N", href.split("?")[0])
            if SKIP.search(href) or shapes[shape] >= SAME_SHAPE or href in seen:
                continue
            shapes[shape] += 1
            queue.append(href)
    return seen, bad


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)


@pytest.mark.parametrize("username", ["group.admin", "mh.manager", "mh.office", "mh.updater", "mh.viewer"])
def test_every_link_a_page_shows_can_be_followed(demo, db, client, username):
    client.force_login(User.objects.get(username=username))
    seen, bad = crawl(client)
    assert len(seen) >= 20
    assert bad == []
