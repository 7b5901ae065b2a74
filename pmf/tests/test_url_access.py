"""Walks every URL pattern of the project as each kind of person and checks the answer.

To cover a new URL, add one line to a URLS table: its name, how to build its arguments from the
`world` fixture, and the expected answer for anonymous, outsider, viewer, updater, manager, admin.
The core table is below; each module keeps its own in `<app>/tests/access_urls.py` (URLS and
WRITES dicts of the same shape), merged here. LOGIN means "redirected to the sign-in page".
WRITES lists URLs that change data on POST: every actor without the right posts a valid payload
and must be refused, and the model's history must show no change.
"""

import importlib

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pmf.tests.access import ACTORS, LOGIN, check

MODULES = ("plans", "indicators", "scorecards", "risks", "assessments", "reports", "cycle", "people", "scrutiny")


def unit(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def history_of(model_label, attr):
    return lambda w: {"model_label": model_label, "pk": getattr(w, attr).pk}


# name: list of (kwargs builder or None, anon, outsider, viewer, updater, manager, admin)
URLS = {
    "home": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "login": [(None, 200, 302, 302, 302, 302, 302)],
    "logout": [(None, 405, 405, 405, 405, 405, 405)],
    "password_change": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "password_change_done": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "orgunit-list": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "orgunit-detail": [(unit("team"), LOGIN, 404, 200, 200, 200, 200)],
    "orgunit-edit": [
        (unit("team"), LOGIN, 404, 403, 403, 200, 200),
        (unit("other_directorate"), LOGIN, 404, 403, 403, 403, 200),
    ],
    "person-list": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "person-detail": [(unit("updater"), LOGIN, 404, 200, 200, 200, 200)],
    "history": [
        (history_of("pmf.orgunit", "team"), LOGIN, 404, 200, 200, 200, 200),
        (history_of("pmf.user", "updater"), LOGIN, 404, 404, 200, 404, 200),
        (lambda w: {"model_label": "pmf.nosuchmodel", "pk": 1}, LOGIN, 404, 404, 404, 404, 404),
    ],
    "health": [(None, 200, 200, 200, 200, 200, 200)],
    "password_reset": [(None, 200, 200, 200, 200, 200, 200)],
    "password_reset_done": [(None, 200, 200, 200, 200, 200, 200)],
    "password_reset_confirm": [
        (lambda w: {"uidb64": "MQ", "token": "set-password"}, 200, 200, 200, 200, 200, 200),
    ],
    "password_reset_complete": [(None, 200, 200, 200, 200, 200, 200)],
    "person-invite": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "person-set-password-link": [(unit("updater"), LOGIN, 405, 405, 405, 405, 405)],
}

# name: (kwargs builder, payload builder, model whose history must not change, {actor: answer})
WRITES = {
    "orgunit-edit": (
        unit("team"),
        lambda w: {
            "name": "Renamed",
            "code": w.team.code,
            "kind": w.team.kind,
            "parent": w.team.parent_id,
            "active": "on",
        },
        "pmf.OrgUnit",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403},
    ),
}

for _module in MODULES:
    try:
        _table = importlib.import_module(f"{_module}.tests.access_urls")
    except ModuleNotFoundError:
        continue
    assert not set(_table.URLS) & set(URLS), f"{_module} repeats URL names already in the access table"
    URLS.update(_table.URLS)
    WRITES.update(getattr(_table, "WRITES", {}))


def project_url_names():
    """Every named URL pattern outside the admin site, with its namespace."""
    names = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == admin.site.name:
                    continue
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern):
                assert entry.name, f"URL pattern {entry.pattern} has no name, so the access test cannot cover it"
                names.add(namespace + entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_pattern_is_in_the_access_table():
    assert project_url_names() == set(URLS)


@pytest.mark.parametrize("name", sorted(URLS))
def test_url_answers_each_role_as_expected(name, world, client_for):
    for build_kwargs, *expected in URLS[name]:
        url = reverse(name, kwargs=build_kwargs(world) if build_kwargs else None)
        for actor, answer in zip(ACTORS, expected, strict=True):
            response = client_for(world.actor(actor)).get(url)
            check(response, answer, f"GET {url} as {actor}")


@pytest.mark.parametrize("name", sorted(WRITES))
def test_writes_are_refused_to_those_without_the_right_and_change_nothing(name, world, client_for):
    from django.apps import apps

    build_kwargs, payload, model_label, refusals = WRITES[name]
    history = apps.get_model(model_label).history
    url = reverse(name, kwargs=build_kwargs(world))
    before = list(history.values_list("pk", flat=True))
    for actor, answer in refusals.items():
        response = client_for(world.actor(actor)).post(url, payload(world))
        check(response, answer, f"POST {url} as {actor}")
    assert list(history.values_list("pk", flat=True)) == before


def admin_url_cases(world):
    """Every admin URL pattern with arguments for an existing object."""
    from pmf.models import OrgUnit

    samples = {OrgUnit: world.team}
    cases = []
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            for model in admin.site._registry:
                if pattern.pattern.regex.pattern.startswith(f"^{model._meta.app_label}/{model._meta.model_name}/"):
                    obj = samples.get(model) or model._default_manager.first()
                    for sub in pattern.url_patterns:
                        if not sub.name:  # an unnamed redirect kept for old admin links
                            continue
                        if obj is None and sub.pattern.regex.groups:  # no row to open in this world
                            continue
                        if sub.name.endswith("_simple_history"):  # one historical version of the object
                            cases.append((f"admin:{sub.name}", [obj.pk, obj.history.first().history_id]))
                            continue
                        kwargs = {group: obj.pk for group in sub.pattern.regex.groupindex}
                        cases.append((f"admin:{sub.name}", kwargs))
        elif pattern.name:
            groups = pattern.pattern.regex.groupindex
            if "app_label" in groups:
                cases.append((f"admin:{pattern.name}", {"app_label": "pmf"}))
            elif not groups:
                cases.append((f"admin:{pattern.name}", {}))
            else:
                cases.append((f"admin:{pattern.name}", None))
    return cases


def test_admin_site_is_only_for_the_platform_operator(world, client_for):
    """The Django admin site answers a superuser only; a performance team (role admin) is sent to
    its sign-in like everyone else (their rights are scoped to a unit, which the site does not keep)."""
    from conftest import make_user

    operator = make_user("operator", "viewer", None, is_superuser=True)
    checked = 0
    for name, kwargs in admin_url_cases(world):
        if kwargs is None:  # view-on-site shortcut; needs a content type, covered by Django's own tests
            continue
        url = reverse(name, args=kwargs) if isinstance(kwargs, list) else reverse(name, kwargs=kwargs)
        if name == "admin:autocomplete":
            url += "?app_label=pmf&model_name=user&field_name=line_manager&term=a"
        for actor in (*ACTORS, "operator"):
            response = client_for(operator if actor == "operator" else world.actor(actor)).get(url)
            if actor == "operator":
                assert response.status_code in (200, 302, 405), f"GET {url} as operator: {response.status_code}"
            elif name == "admin:login":
                assert response.status_code == 200
            elif name == "admin:logout":
                assert response.status_code in (302, 405), f"GET {url} as {actor}: {response.status_code}"
            else:
                assert response.status_code == 302, f"GET {url} as {actor}: {response.status_code}"
                assert response["Location"].startswith(reverse("admin:login")), f"GET {url} as {actor}"
        checked += 1
    assert checked >= 15
