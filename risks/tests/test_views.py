import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Indicator
from indicators.tests.factories import MeasurementFactory, team_indicator
from plans.models import PlanItem
from plans.tests.factories import plan_world
from pmf import periods
from risks import services
from risks.models import Control, Risk, RiskAcceptance, RiskReview
from risks.tests.factories import category, make_risk

D = datetime.date


def today():
    return timezone.localdate()


def codes(response):
    return [row.risk.code for row in response.context["rows"]]


def many_risks(world, count, prefix="M", **fields):
    return [
        make_risk(
            f"{prefix} {n:03d}",
            unit=world.team,
            owner=world.updater,
            current=(1 + n % 5, 1 + n % 4),
            target=(1, 1),
            **fields,
        )
        for n in range(count)
    ]


# The register ---------------------------------------------------------------------------------


def test_register_lists_open_risks_highest_first_with_bands_and_flags(risks, world, client_for):
    make_risk("R 03", unit=world.team, owner=world.updater, current=(2, 2), status="closed")
    response = client_for(world.manager).get(reverse("risk-register"))
    assert codes(response) == ["R 01"]
    row = response.context["rows"][0]
    assert (row.current_band.name, row.bands["inherent"].name, row.bands["target"].name) == (
        "High",
        "Critical",
        "Medium",
    )
    assert row.appetite == "above"
    html = response.content.decode()
    assert '<span class="status status--red">Above appetite</span>' in html
    assert '<span class="movement movement--up"><span aria-hidden="true">▲</span> Up</span>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["R 01", "R 02", "B 1"]),
        ({"status": "all"}, ["R 01", "R 02", "B 1", "B 2"]),
        ({"status": "closed"}, ["B 2"]),
        ({"category": "financial"}, ["B 1"]),
        ({"band": 3}, ["R 01", "R 02"]),
        ({"band": 4}, []),
        ({"above_appetite": "on"}, ["R 01"]),
        ({"overdue": "on"}, ["B 1"]),
        ({"q": "roof"}, ["R 02"]),
        ({"owner": "updater"}, ["R 01", "B 1"]),
        ({"unit": "other_directorate"}, ["R 02"]),
        ({"position": "inherent", "likelihood": 4, "impact": 4}, ["R 01", "R 02", "B 1"]),
        ({"position": "current", "likelihood": 3, "impact": 3}, ["R 02"]),
        ({"sort": "code"}, ["B 1", "R 01", "R 02"]),
        ({"sort": "-code; DROP TABLE risks_risk"}, ["R 01", "R 02", "B 1"]),  # not on the list: default order
    ],
)
def test_register_filters_and_sorts(risks, world, client_for, query, expected):
    financial = category("financial", 8)
    make_risk(
        "B 1",
        unit=world.team,
        owner=world.updater,
        current=(2, 2),
        category=financial,
        next_review_date=today() - datetime.timedelta(days=1),
    )
    make_risk("B 2", unit=world.team, owner=world.updater, current=(1, 2), status="closed", target=(1, 1))
    query = dict(query)
    if query.get("category"):
        query["category"] = financial.pk
    if query.get("owner"):
        query["owner"] = world.updater.pk
    if query.get("unit"):
        query["unit"] = world.other_directorate.pk
    response = client_for(world.admin).get(reverse("risk-register"), query)
    assert response.status_code == 200
    assert codes(response) == expected


def test_register_filters_keep_what_was_chosen(risks, world, client_for):
    response = client_for(world.admin).get(
        reverse("risk-register"), {"owner": world.updater.pk, "status": "all", "sort": "code"}
    )
    html = response.content.decode()
    assert (
        f'<select name="owner" id="id_owner"><option value="">Anyone</option>'
        f'<option value="{world.admin.pk}">{world.admin.name}</option>'
    ) in html
    assert f'<option value="{world.updater.pk}" selected>{world.updater.name}</option>' in html
    assert '<option value="all" selected>Open and closed</option>' in html
    assert '<option value="code" selected>Code</option>' in html
    assert '<option value="" selected>Any unit</option>' in html
    assert codes(response) == ["R 01"]


def test_register_pages_fifty_risks_at_a_time(world, client_for):
    many_risks(world, 51)
    client = client_for(world.manager)
    first = client.get(reverse("risk-register"))
    second = client.get(reverse("risk-register"), {"page": 2})
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 1)
    assert first.context["page"].paginator.count == 51


def _kri(world, risk, code, values, status="green"):
    indicator = team_indicator(world, code=code)
    latest = periods.month_start(today())
    for back, value in enumerate(values):
        MeasurementFactory(indicator=indicator, period=periods.add_months(latest, -back), value=Decimal(value))
    Indicator.objects.filter(pk=indicator.pk).update(
        latest_period=latest, latest_value=Decimal(values[0]), latest_status=status, latest_updated_at=timezone.now()
    )
    risk.indicators.add(indicator)
    return indicator


def test_register_query_count_does_not_grow_with_risks(world, client_for):
    client = client_for(world.manager)
    first = many_risks(world, 1)
    _kri(world, first[0], "K0", ["90", "92", "95"])
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("risk-register")).status_code == 200
    for number, risk in enumerate(many_risks(world, 49, prefix="N", category=category("project", 12))):
        if number % 5 == 0:
            _kri(world, risk, f"K{number + 1}", ["90", "92", "95"])
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(reverse("risk-register"))
    assert len(response.context["rows"]) == 50
    assert len(fifty) == len(one)


def test_register_downloads_as_csv_and_excel_in_the_import_columns(risks, world, client_for):
    client = client_for(world.manager)
    response = client.get(reverse("risk-register"), {"export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,title,cause,event,effect,category,org_unit,owner,inherent_likelihood")
    assert lines[1].startswith(
        "R 01,Arrears rise after benefit changes,,,,operational,alpha-rents,charlie,4,4,3,4,2,2,"
    )
    assert lines[1].endswith(
        ",16,Critical,12,High,4,Medium,9,Above appetite,Up," + risks.risk.last_reviewed_on.isoformat() + ",No,No"
    )
    workbook = load_workbook(io.BytesIO(client.get(reverse("risk-register"), {"export": "xlsx"}).getvalue()))
    rows = list(workbook.active.values)
    assert rows[1][:3] == ("R 01", "Arrears rise after benefit changes", None)
    assert len(rows) == 2


# The heat map ---------------------------------------------------------------------------------


def test_heat_map_counts_each_cell_in_one_aggregate_query(world, client_for):
    for number, cell in enumerate([(3, 4), (3, 4), (5, 5), (1, 1)]):
        make_risk(f"H {number}", unit=world.team, owner=world.updater, current=cell, inherent=(5, 5), target=(1, 1))
    with CaptureQueriesContext(connection) as queries:
        response = client_for(world.manager).get(reverse("risk-heatmap"))
    counts = {
        (cell.likelihood.level, cell.impact.level): cell.count
        for row in response.context["grid"]
        for cell in row["cells"]
    }
    assert {cell: n for cell, n in counts.items() if n} == {(3, 4): 2, (5, 5): 1, (1, 1): 1}
    assert len(counts) == 25
    assert response.context["total"] == 4
    aggregates = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "risks_risk" in q["sql"]]
    assert len(aggregates) == 1 and "GROUP BY" in aggregates[0]
    inherent = client_for(world.manager).get(reverse("risk-heatmap"), {"position": "inherent"})
    assert inherent.context["total"] == 4
    assert [c.count for r in inherent.context["grid"] for c in r["cells"] if c.count] == [4]


def test_heat_map_cells_show_word_and_shape_and_drill_into_the_register(world, client_for):
    make_risk("H 1", unit=world.team, owner=world.updater, current=(3, 4), target=(1, 1))
    make_risk("H 2", unit=world.team, owner=world.updater, current=(2, 2), target=(1, 1))
    client = client_for(world.manager)
    response = client.get(reverse("risk-heatmap"), {"category": category().pk})
    cell = next(c for r in response.context["grid"] for c in r["cells"] if c.count and c.score == 12)
    assert cell.band.name == "High"
    assert f"category={category().pk}" in cell.url and "likelihood=3" in cell.url and "impact=4" in cell.url
    html = response.content.decode()
    assert '<span class="risk-shape risk-shape--diamond" aria-hidden="true"></span>High 12' in html
    assert codes(client.get(cell.url)) == ["H 1"]


def test_heat_map_query_count_does_not_grow_with_risks(world, client_for):
    client = client_for(world.manager)
    many_risks(world, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("risk-heatmap"))
    many_risks(world, 49, prefix="N", category=category("project", 12))
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(reverse("risk-heatmap"))
    assert response.context["total"] == 50
    assert len(fifty) == len(one)


# The risk page --------------------------------------------------------------------------------


def _dress(world, risk, count):
    """COUNT of each thing a risk page lists: controls, reviews, actions, KRIs, risks beneath it."""
    plans = plan_world(world)
    for n in range(count):
        services.save_control(control=Control(risk=risk, description=f"Control {n}", owner=world.updater))
        action = PlanItem.objects.create(
            kind="action", code=f"{risk.code} A{n}", title="Act", parent=plans.objective, org_unit=world.team
        )
        risk.actions.add(action)
        _kri(world, risk, f"{risk.code}K{n}", ["90", "92", "95"], status="red" if n % 2 else "green")
        make_risk(f"{risk.code} C{n}", unit=world.team, owner=world.updater, parent=risk, current=(2, 2), target=(1, 1))
    risk.refresh_from_db()
    for n in range(count):
        services.record_review(
            risk=risk,
            reviewer=world.updater,
            reviewed_on=today() - datetime.timedelta(days=count - n),
            likelihood=3,
            impact=3 + n % 2,
            note=f"Review {n}",
            expected_version=risk.version,
        )


def test_risk_page_query_count_does_not_grow_with_what_it_lists(world, client_for):
    small = make_risk("P 1", unit=world.team, owner=world.updater)
    big = make_risk("P 2", unit=world.team, owner=world.updater)
    _dress(world, small, 1)
    _dress(world, big, 50)
    client = client_for(world.manager)
    client.get(reverse("risk-detail", kwargs={"pk": small.pk}))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("risk-detail", kwargs={"pk": small.pk}))
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(reverse("risk-detail", kwargs={"pk": big.pk}))
    assert (len(response.context["controls"]), len(response.context["reviews"]), len(response.context["row"].kris)) == (
        50,
        50,
        50,
    )
    assert len(response.context["actions"]) == 50 and len(response.context["escalated"]) == 50
    assert len(fifty) == len(one)


def test_risk_page_shows_actions_kris_and_the_score_history(risks, world, client_for):
    plans = plan_world(world)
    risks.risk.actions.add(plans.action)
    _kri(world, risks.risk, "INC99", ["4.0", "3.5", "3.0"], status="red")
    response = client_for(world.manager).get(reverse("risk-detail", kwargs={"pk": risks.risk.pk}))
    html = response.content.decode()
    assert "H 1.1 Train the rents team" in html
    assert response.context["row"].kris[0].signal == "off_target"
    assert response.context["row"].review_suggested is True
    assert '<span class="status status--amber">PI off target</span>' in html
    chart = response.context["chart"]
    assert chart["data"][0]["y"] == [12] and chart["data"][0]["line"]["shape"] == "hv"
    assert chart["data"][1]["name"] == "Target score (4)"


def test_the_viewer_sees_linked_pis_and_actions_without_links_she_cannot_follow(risks, world, client_for):
    plans = plan_world(world)
    risks.risk.actions.add(plans.action)
    indicator = _kri(world, risks.risk, "INC99", ["4.0", "3.5", "3.0"])
    html = client_for(world.viewer).get(reverse("risk-detail", kwargs={"pk": risks.risk.pk})).content.decode()
    assert f"INC99 {indicator.title}" in html and indicator.get_absolute_url() not in html
    assert "H 1.1 Train the rents team" in html and plans.action.get_absolute_url() not in html


# Key risk indicators --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "status", "reviewed_days_after", "suggested"),
    [
        (["90", "92", "95"], "green", None, True),  # worse two periods running
        (["95", "92", "90"], "green", None, False),  # improving
        (["90", "92", "95"], "red", None, True),
        (["96", "92", "95"], "red", 1, False),  # reviewed after the value came in
    ],
)
def test_review_suggested_when_a_kri_turns_red_or_worsens_twice(
    world, client_for, values, status, reviewed_days_after, suggested
):
    risk = make_risk("K 1", unit=world.team, owner=world.updater)
    _kri(world, risk, "KRI1", values, status=status)
    if reviewed_days_after is not None:
        Risk.objects.filter(pk=risk.pk).update(last_reviewed_on=today() + datetime.timedelta(days=reviewed_days_after))
    response = client_for(world.manager).get(reverse("risk-register"))
    assert response.context["rows"][0].review_suggested is suggested
    assert ("Review suggested" in response.content.decode()) is suggested


# Writes through the pages ---------------------------------------------------------------------


def _review(client, risk, **data):
    payload = {
        "reviewed_on": today().isoformat(),
        "likelihood": 2,
        "impact": 3,
        "note": "Better",
        "version": risk.version,
    }
    payload.update(data)
    return client.post(reverse("risk-review", kwargs={"pk": risk.pk}), payload)


def test_owner_records_a_review_and_the_next_review_date_moves_on(risks, world, client_for):
    client = client_for(world.updater)
    response = _review(client, risks.risk)
    assert response.status_code == 302
    risk = Risk.objects.get(pk=risks.risk.pk)
    assert risk.position("current") == (2, 3)
    assert risk.next_review_date == services.rules.next_review_date(reviewed_on=today(), frequency_months=3)
    page = client.get(response["Location"])
    assert f"Review of R 01 recorded: score 6 (Medium), down. Next review due {risk.next_review_date:%d %b %Y}." in (
        page.content.decode()
    )


def test_a_review_dated_in_the_future_is_refused_naming_the_field(risks, world, client_for):
    tomorrow = today() + datetime.timedelta(days=1)
    before = RiskReview.objects.count()
    response = _review(client_for(world.updater), risks.risk, reviewed_on=tomorrow.isoformat())
    assert response.status_code == 200
    assert response.context["form"].errors["reviewed_on"] == [
        f"The review date {tomorrow:%d %b %Y} is in the future; date it today or earlier."
    ]
    assert RiskReview.objects.count() == before


def test_the_second_of_two_simultaneous_reviews_is_told_and_nothing_is_lost(risks, world, client_for):
    stale = Risk.objects.get(pk=risks.risk.pk)
    assert _review(client_for(world.updater), stale, likelihood=2, note="Owner").status_code == 302
    response = _review(client_for(world.manager), stale, likelihood=4, note="Manager")
    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "R 01 was changed by someone else after you opened it (version 2, now 3). Reload the page to see their "
        "change, then make yours again if it is still needed."
    ]
    assert "Manager" not in RiskReview.objects.values_list("note", flat=True)
    assert Risk.objects.get(pk=risks.risk.pk).position("current") == (2, 3)


def _risk_form(world, **changes):
    data = {
        "code": "N 1",
        "title": "New risk",
        "category": category().pk,
        "org_unit": world.team.pk,
        "owner": world.updater.pk,
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "current_likelihood": 3,
        "current_impact": 3,
        "target_likelihood": 2,
        "target_impact": 2,
        "proximity": "near",
        "treatment": "treat",
        "status": "open",
        "review_frequency": 3,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"current_likelihood": 7},
            "current_likelihood",
            "The current likelihood must be between 1 and 5; 7 is outside the scale.",
        ),
        (
            {"target_likelihood": 4, "target_impact": 3},
            "target_likelihood",
            "The target score (4 × 3 = 12) is above the current score (3 × 3 = 9); a target cannot be worse than now.",
        ),
        ({"parent_code": "NOPE"}, "parent_code", 'No risk you can see has the code "NOPE".'),
        ({"indicator_codes": "ZZZ1, ZZZ2"}, "indicator_codes", "No PI you can see has the codes ZZZ1, ZZZ2."),
    ],
)
def test_creating_a_risk_with_bad_input_names_the_field_and_saves_nothing(world, client_for, changes, field, message):
    response = client_for(world.manager).post(reverse("risk-create"), _risk_form(world, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Risk.objects.exists()


def test_a_manager_creates_a_risk_with_links_from_codes(world, client_for):
    plans = plan_world(world)
    indicator = team_indicator(world, code="INC01")
    response = client_for(world.manager).post(
        reverse("risk-create"),
        _risk_form(world, objective_codes="H 1", action_codes="H 1.1", indicator_codes="INC01"),
    )
    risk = Risk.objects.get(code="N 1")
    assert response["Location"] == risk.get_absolute_url()
    assert (list(risk.objectives.all()), list(risk.actions.all()), list(risk.indicators.all())) == (
        [plans.objective],
        [plans.action],
        [indicator],
    )


def test_escalating_a_risk_beneath_its_own_child_is_refused(risks, world, client_for):
    child = make_risk("R 05", unit=world.team, owner=world.updater, parent=risks.risk, current=(2, 2), target=(1, 1))
    risk = Risk.objects.get(pk=risks.risk.pk)
    data = _risk_form(
        world,
        code="R 01",
        title=risk.title,
        current_likelihood=3,
        current_impact=4,
        parent_code=child.code,
        version=risk.version,
        active="on",
    )
    response = client_for(world.manager).post(reverse("risk-edit", kwargs={"pk": risk.pk}), data)
    assert response.status_code == 200
    assert response.context["form"].errors["parent_code"] == [
        "R 01 cannot sit beneath itself or a risk escalated to it; that would make a loop."
    ]
    assert Risk.objects.get(pk=risk.pk).parent_id is None


def test_a_control_without_an_owner_is_refused_by_the_page(risks, world, client_for):
    before = Control.objects.count()
    response = client_for(world.updater).post(
        reverse("risk-control-create", kwargs={"pk": risks.risk.pk}),
        {"description": "Audit", "owner": "", "type": "detective", "effectiveness": "effective"},
    )
    assert response.context["form"].errors["owner"] == ["Every control needs an owner who makes sure it works."]
    assert Control.objects.count() == before


def test_a_manager_accepts_a_risk_above_appetite(risks, world, client_for):
    until = today() + datetime.timedelta(days=90)
    response = client_for(world.manager).post(
        reverse("risk-accept", kwargs={"pk": risks.risk.pk}),
        {"until": until.isoformat(), "reason": "Board agreed", "version": risks.risk.version},
    )
    assert response.status_code == 302
    assert RiskAcceptance.objects.get().accepted_by == world.manager
    register = client_for(world.manager).get(reverse("risk-register"))
    assert register.context["rows"][0].appetite == "accepted"
    assert f"Accepted above appetite until {until:%d %b %Y}" in register.content.decode()


def test_a_mitigating_action_is_created_from_the_risk_page(risks, world, client_for):
    plans = plan_world(world)
    response = client_for(world.manager).post(
        reverse("risk-action-create", kwargs={"pk": risks.risk.pk}),
        {
            "objective": plans.objective.pk,
            "code": "H 1.5",
            "title": "Call every new claimant",
            "due_date": "2027-03-31",
        },
    )
    assert response.status_code == 302
    action = PlanItem.objects.get(code="H 1.5")
    assert list(risks.risk.actions.all()) == [action]
    taken = client_for(world.manager).post(
        reverse("risk-action-create", kwargs={"pk": risks.risk.pk}),
        {"objective": plans.objective.pk, "code": "H 1.5", "title": "Again"},
    )
    assert taken.context["form"].errors["code"] == ["Plan item with this Code already exists."]


# Golden thread and My work --------------------------------------------------------------------


def test_the_action_page_shows_the_risk_it_mitigates(risks, world, client_for):
    plans = plan_world(world)
    risks.risk.actions.add(plans.action)
    risks.risk.objectives.add(plans.objective)
    action_page = client_for(world.manager).get(reverse("planitem-detail", kwargs={"pk": plans.action.pk}))
    assert "R 01 Arrears rise after benefit changes" in action_page.content.decode()
    assert "reduced by this action" in action_page.content.decode()
    objective_page = client_for(world.updater).get(reverse("planitem-detail", kwargs={"pk": plans.objective.pk}))
    assert "threatens this objective" in objective_page.content.decode()
    outsider_page = client_for(world.admin).get(reverse("planitem-detail", kwargs={"pk": plans.other_action.pk}))
    assert "No risks are linked." in outsider_page.content.decode()


def test_my_work_shows_the_owners_top_risks_and_the_managers_area(risks, world, client_for):
    make_risk("R 07", unit=world.team, owner=world.manager, current=(4, 5), target=(1, 1))
    owner_home = client_for(world.updater).get(reverse("home"))
    section = next(s for s in owner_home.context["sections"] if s["section"].title == "Top risks")
    assert [row.risk.code for row in section["items"]["mine"]] == ["R 01"]
    assert section["items"]["area"] == []
    manager_home = client_for(world.manager).get(reverse("home"))
    section = next(s for s in manager_home.context["sections"] if s["section"].title == "Top risks")
    assert [row.risk.code for row in section["items"]["mine"]] == ["R 07"]
    assert [row.risk.code for row in section["items"]["area"]] == ["R 01"]


# Settings pages -------------------------------------------------------------------------------


def test_admin_rebands_a_cell_and_the_register_follows(risks, world, client_for):
    client = client_for(world.admin)
    form = client.get(reverse("risk-matrix")).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data["cell_3_4"] = 4
    data["save"] = "1"
    response = client.post(reverse("risk-matrix"), data)
    assert response.status_code == 302
    row = client.get(reverse("risk-register")).context["rows"][0]
    assert row.current_band.name == "Critical"
    assert RiskReview.objects.get(pk=risks.review.pk).band_name == "High"


def test_admin_cannot_shrink_the_matrix_below_the_levels_in_use(risks, world, client_for):
    response = client_for(world.admin).post(
        reverse("risk-matrix"), {"resize": "1", "likelihood_levels": 3, "impact_levels": 5}
    )
    assert response.status_code == 200
    assert response.context["size_form"].errors["likelihood_levels"] == [
        "Risks are scored at likelihood 4; re-score them before the scale drops below it."
    ]


def test_admin_sets_the_appetite_and_risks_are_flagged_against_it(risks, world, client_for):
    client = client_for(world.admin)
    formset = client.get(reverse("risk-appetite")).context["formset"]
    data = {"form-TOTAL_FORMS": str(len(formset.forms)), "form-INITIAL_FORMS": str(formset.initial_form_count())}
    for index, form in enumerate(formset.forms):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if name == "id":
                value = form.instance.pk
            if value is not None and value is not False:
                data[f"form-{index}-{name}"] = value
    operational = next(i for i, f in enumerate(formset.forms) if f.instance.code == "operational")
    data[f"form-{operational}-appetite"] = 12
    assert client.post(reverse("risk-appetite"), data).status_code == 302
    assert client.get(reverse("risk-register")).context["rows"][0].appetite == "within"
    data[f"form-{operational}-appetite"] = 99
    refused = client.post(reverse("risk-appetite"), data)
    assert refused.context["formset"].forms[operational].errors["appetite"] == [
        "The appetite is a score from 1 to 25 (the highest on the matrix)."
    ]
