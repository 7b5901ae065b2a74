"""Hostile input never makes a server error.

Walks every URL of the access table (pmf/tests/test_url_access.py) as an admin: sends each hostile
value in every query parameter the page's filter forms accept, then reads the page's POST forms and
posts each hostile value in every field (keeping each button's own name and value, so every branch
of a multi-action page is reached). No answer may be a 5xx, and no page may echo script text
unescaped.
"""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pmf.tests.test_url_access import URLS

SCRIPT = "<script>alert(1)</script>"
HOSTILE = (
    "inf",
    "NaN",
    "-1e400",
    "",
    "²",
    "\x00",
    "a\x00b",
    SCRIPT,
    "123456789012345678901234567890",
    "-999999999999999.99999",
    "0001-01",
    "0001-01-01",
    "9999-12",
    "9999-12-31",
    "x" * 5000,
)
# Query parameters read by list and figure pages that their forms do not always show.
COMMON_PARAMETERS = ("period", "month", "page", "sort", "q", "unit", "status", "year", "tab", "fmt")
# URLs whose POST ends the session or which answer only to a sign-in: posting would sign the admin out.
NOT_POSTED = {"logout", "login", "admin:logout"}
NOT_POSTED_PATHS = {"/accounts/logout/", "/admin/logout/"}


class _Forms(HTMLParser):
    """The forms of a page: method, action, the names of their controls, the text controls among
    them, and each control's value as the page fills it in (buttons are kept with their values)."""

    TEXT_TYPES = {"", "text", "search", "number", "email", "url", "tel", "month", "date"}

    def __init__(self):
        super().__init__()
        self.forms = []
        self._current = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": set(),
                "text": set(),
                "defaults": {},
                "files": set(),
                "buttons": [],
            }
            self.forms.append(self._current)
            return
        form = self._current
        if tag == "option" and form is not None and self._select is not None:
            chosen = form["defaults"]
            if self._select not in chosen or "selected" in attrs:
                chosen[self._select] = attrs.get("value") or ""
            return
        name = attrs.get("name")
        if form is None or not name:
            return
        kind = (attrs.get("type") or "").lower()
        if tag == "button" or (tag == "input" and kind == "submit"):
            form["buttons"].append((name, attrs.get("value") or ""))
            return
        if tag == "input" and kind == "file":
            form["files"].add(name)
            return
        if name == "csrfmiddlewaretoken" or tag not in ("input", "select", "textarea"):
            return
        form["fields"].add(name)
        if tag == "textarea":
            form["text"].add(name)
            self._textarea = name
            form["defaults"].setdefault(name, "")
        elif tag == "select":
            self._select = name
        elif kind in ("checkbox", "radio"):
            if "checked" in attrs:
                form["defaults"][name] = attrs.get("value") or "on"
        else:
            if kind in self.TEXT_TYPES:
                form["text"].add(name)
            form["defaults"].setdefault(name, attrs.get("value") or "")

    def handle_data(self, data):
        if self._current is not None and self._textarea is not None:
            self._current["defaults"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def page_forms(response):
    if "html" not in response.get("Content-Type", ""):
        return []
    parser = _Forms()
    parser.feed(response.content.decode("utf-8", "replace"))
    return parser.forms


def assert_safe(response, label):
    assert response.status_code < 500, f"{label}: {response.status_code}"
    if "html" in response.get("Content-Type", ""):
        assert SCRIPT.encode() not in response.content, f"{label}: script text echoed unescaped"


def hostile_posts(form, value, button):
    """Two payloads: every field VALUE; and the form as the page fills it in with every text field
    VALUE (so a form that is otherwise valid carries the value through to its save)."""
    everywhere = dict.fromkeys(form["fields"], value)
    in_text = {**form.get("defaults", {}), **dict.fromkeys(form.get("text", ()), value)}
    for data in (everywhere, in_text):
        for name in form["files"]:
            data[name] = SimpleUploadedFile("hostile.csv", f"code,period,value\n{value},{value},{value}\n".encode())
        if button:
            data[button[0]] = button[1]
        yield data


def cases():
    for name, rows in sorted(URLS.items()):
        for index in range(len(rows)):
            yield pytest.param(name, index, id=f"{name}-{index}")


@pytest.mark.parametrize(("name", "index"), list(cases()))
def test_hostile_values_in_every_parameter_and_field_answer_without_server_error(name, index, world, client):
    build_kwargs = URLS[name][index][0]
    url = reverse(name, kwargs=build_kwargs(world) if build_kwargs else None)
    client.force_login(world.admin)
    page = client.get(url)
    assert_safe(page, f"GET {url}")
    forms = page_forms(page) if page.status_code == 200 else []
    parameters = set(COMMON_PARAMETERS)
    for form in forms:
        if form["method"] == "get" and form["action"] in ("", url):
            parameters |= form["fields"]
    for value in HOSTILE:
        response = client.get(url, dict.fromkeys(parameters, value))
        assert_safe(response, f"GET {url} with {value[:40]!r}")
    if name in NOT_POSTED:
        return
    # Each POST form of the page, sent to where it posts (another page's action included).
    posted = [
        form for form in forms if form["method"] == "post" and form["action"].split("?")[0] not in NOT_POSTED_PATHS
    ]
    if not posted:
        posted = [{"action": "", "fields": set(COMMON_PARAMETERS), "files": set(), "buttons": []}]
    for form in posted:
        target = form["action"] if form["action"].startswith("/") else url
        for button in dict.fromkeys(form["buttons"] or [None]):
            for value in HOSTILE:
                for data in hostile_posts(form, value, button):
                    client.force_login(world.admin)
                    response = client.post(target, data)
                    assert_safe(response, f"POST {target} {button} with {value[:40]!r}")


def test_a_nul_character_in_any_field_is_refused_with_400_naming_the_field(world, client_for):
    from pmf.models import OrgUnit

    client = client_for(world.admin)
    url = reverse("orgunit-edit", kwargs={"pk": world.team.pk})
    response = client.post(
        url, {"name": "Rents\x00Team", "code": world.team.code, "kind": world.team.kind, "parent": world.team.parent_id}
    )
    assert response.status_code == 400
    assert "The field “name” contains a NUL character" in response.content.decode()
    assert OrgUnit.objects.get(pk=world.team.pk).name == "Rents Team"
    response = client.get(reverse("person-list"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "The field “q” contains a NUL character" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("123456789012345678901234567890", "is too large: numbers may have at most 14 digits before the point."),
        ("99999999999999.9999999", "is too large: numbers may have at most 14 digits before the point."),
        ("inf", "is not a number."),
        ("NaN", "is not a number."),
    ],
)
def test_value_and_target_forms_refuse_numbers_the_value_column_cannot_hold(typed, message, world, client_for):
    from indicators.models import Measurement, TargetPeriod
    from indicators.tests.factories import team_indicator

    indicator = team_indicator(world, code="BIG", unit="number")
    client = client_for(world.manager)
    url = reverse("measurement-edit", kwargs={"pk": indicator.pk, "period": "2025-01-01"})
    response = client.post(url, {f"pi{indicator.pk}-value": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Measurement.objects.filter(indicator=indicator).exists()
    targets = TargetPeriod.objects.filter(indicator=indicator).count()
    response = client.post(
        reverse("indicator-target-add", kwargs={"pk": indicator.pk}),
        {"effective_from": "2025-04-01", "target": typed, "tolerance_kind": "absolute", "tolerance": "1"},
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert TargetPeriod.objects.filter(indicator=indicator).count() == targets


def test_an_import_names_the_row_whose_number_the_value_column_cannot_hold(world, client_for):
    from indicators.models import Measurement
    from indicators.tests.factories import team_indicator

    indicator = team_indicator(world, code="BIG", unit="number")
    upload = SimpleUploadedFile(
        "values.csv", b"code,period,value\nBIG,2025-01,5\nBIG,2025-02,99999999999999.9999999\n", content_type="text/csv"
    )
    response = client_for(world.manager).post(
        reverse("indicator-import"), {"kind": "values", "file": upload, "commit": "on"}
    )
    page = response.content.decode()
    assert "is too large: numbers may have at most 14 digits before the point." in page
    assert not Measurement.objects.filter(indicator=indicator).exists()


def test_arrange_ids_that_name_no_row_are_404_not_server_errors(world, client_for):
    from scorecards.tests.factories import make_indicator, make_scorecard

    scorecard = make_scorecard(world.directorate, [make_indicator("ARR1", world.team, months=1)], owner=world.manager)
    url = reverse("scorecard-arrange", kwargs={"pk": scorecard.pk})
    client = client_for(world.manager)
    for value in ("inf", "NaN", "", "²", "123456789012345678901234567890", SCRIPT):
        for action, field in (("section-up", "section"), ("entry-remove", "entry")):
            response = client.post(url, {"action": action, field: value})
            assert response.status_code == 404, (action, value)
    assert scorecard.entries.count() == 1
