"""Assembling a report from the registered sections: which sections, in which order, what each
says, through the access rules, in a fixed number of queries."""

import datetime

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from reports import content
from reports.assemble import assemble, default_sections, offered_sections
from reports.tests.content_builders import TODAY, dossier, make_pi, make_scorecard, params


def blocks_of(report, key):
    return next(section for section in report.sections if section.key == key).blocks


def walk(blocks):
    for block in blocks:
        yield block
        if isinstance(block, content.Subsection):
            yield from walk(block.blocks)


def test_default_sections_by_kind():
    assert default_sections("exceptions") == ("summary", "exceptions")
    assert default_sections("tenants") == ("cover", "signposts")
    assert default_sections("full-suite") == ("cover", "contents", "summary", "scorecard", "appendix")
    board = default_sections("board")
    assert board[:7] == ("cover", "contents", "summary", "exceptions", "signposts", "scorecard", "actions")
    assert {"risk-heatmap", "risk-top", "assessment-gaps"} <= set(board)
    assert "appendix" not in board  # offered; 500 definitions would double a Board dossier
    assert "appendix" in {section.key for section in offered_sections("board")}
    assert [s.key for s in offered_sections("risks")][:2] == ["cover", "contents"]
    assert "scorecard" not in {s.key for s in offered_sections("risks")}


@pytest.mark.django_db
def test_sections_follow_the_order_asked_and_ignore_unknown_keys(world):
    made = dossier(world)
    asked = params(
        "exceptions",
        sections=["exceptions", "nonsense", "summary", "scorecard", "exceptions"],
        scope="scorecard",
        scope_id=made.scorecard.pk,
    )
    calls = []
    report = assemble(asked, user=world.manager, today=TODAY, progress=lambda *args: calls.append(args))
    # "scorecard" is not offered by the exception report; unknown keys and repeats are dropped
    assert [section.key for section in report.sections] == ["exceptions", "summary"]
    assert calls == [(1, 2, "Exceptions"), (2, 2, "Executive summary")]
    assert report.title == "Board performance report"
    assert report.period_label == "Oct 2026"
    assert report.scope_label == "Housing scorecard"


@pytest.mark.django_db
def test_exceptions_carry_rules_owner_and_commentary(world):
    made = dossier(world)
    report = assemble(params("board", scope="scorecard", scope_id=made.scorecard.pk), user=world.manager, today=TODAY)
    items = [block for block in walk(blocks_of(report, "exceptions")) if isinstance(block, content.ExceptionItem)]
    by_subject = {item.subject: item for item in items}
    assert list(by_subject) == [
        "RENT01 Rent collected as % of rent due",
        "REP03 Repairs right first time",
        "VOID02 Average days to relet",
        "HDP 1.1 Action HDP 1.1",
        "HDP 1.2 Action HDP 1.2",
    ]
    rent = by_subject["RENT01 Rent collected as % of rent due"]
    assert rent.rule == "Off target; Long trend getting worse"
    assert rent.owner == "Bob Manager"
    assert rent.status == content.Status("red", "Off target")
    assert rent.detail == (
        "80.0% against a target of 95.0% in Oct 2026; getting worse on the previous period, getting worse over the year"
    )
    assert rent.commentary == content.Commentary(
        text="Collection fell after the Universal Credit migration.",
        cause="Two income officers off sick.",
        action="Agency cover from 1 November.",
        recovery=datetime.date(2027, 1, 1),
    )
    void = by_subject["VOID02 Average days to relet"]
    assert void.rule == "Amber 2 periods running; Target missed 3 periods running"
    assert void.owner == "Charlie Updater"
    assert void.commentary.text.startswith("<script>")  # plain text in the content; renderers escape it
    silent = by_subject["REP03 Repairs right first time"]
    assert silent.rule == "Off target; Target missed 3 periods running; Long trend getting worse"
    assert silent.owner == "No owner named"
    assert silent.commentary.missing
    overdue = by_subject["HDP 1.1 Action HDP 1.1"]
    assert (overdue.rule, overdue.owner) == ("Overdue", "Charlie Updater")
    assert overdue.detail == "40% complete, due 30 Sep 2026 (51 days ago)"
    assert overdue.commentary.text == "Waiting on the contractor's quote. (20 Nov 2026)"
    assert by_subject["HDP 1.2 Action HDP 1.2"].commentary.missing
    assert blocks_of(report, "exceptions")[0] == content.Paragraph(
        "3 PIs and 2 plan actions meet this report's exception rules for Oct 2026."
    )


@pytest.mark.django_db
def test_exception_settings_switch_rules_off(world):
    made = dossier(world)
    settings = {"red": False, "long_trend_worse": False, "missed_periods": 0, "check_progress_actions": False}
    asked = params("exceptions", scope="scorecard", scope_id=made.scorecard.pk, exceptions=settings)
    report = assemble(asked, user=world.manager, today=TODAY)
    items = [block for block in walk(blocks_of(report, "exceptions")) if isinstance(block, content.ExceptionItem)]
    assert [(item.subject, item.rule) for item in items] == [
        ("VOID02 Average days to relet", "Amber 2 periods running"),
        ("HDP 1.1 Action HDP 1.1", "Overdue"),
    ]


@pytest.mark.django_db
def test_summary_counts_and_changes(world):
    made = dossier(world)
    report = assemble(params("board", scope="scorecard", scope_id=made.scorecard.pk), user=world.manager, today=TODAY)
    figures, counted, changed, table = blocks_of(report, "summary")
    assert [(item.label, item.value) for item in figures.items] == [
        ("On target", "1"),
        ("Within tolerance", "1"),
        ("Off target", "2"),
        ("Data only", "0"),
        ("Unknown", "0"),
        ("PIs in this report", "4"),
    ]
    assert counted == content.Paragraph("4 of 4 PIs have a value for Oct 2026.")
    assert changed.text == "1 PI changed their traffic light since the previous period: 1 got worse and 0 got better."
    assert table.rows == (
        (
            "RENT01",
            "Rent collected as % of rent due",
            content.Status("green", "On target"),
            content.Status("red", "Off target"),
            "Worse",
        ),
    )


@pytest.mark.django_db
def test_period_without_data_says_so(world):
    made = dossier(world)
    asked = params("board", scope="scorecard", scope_id=made.scorecard.pk, period=datetime.date(2027, 6, 1))
    report = assemble(asked, user=world.manager, today=TODAY)
    assert content.Paragraph(
        "No PI in this report has a value for Jun 2027; the counts show every PI as Unknown."
    ) in blocks_of(report, "summary")
    assert blocks_of(report, "exceptions")[0].text.startswith("0 PIs and 2 plan actions")


@pytest.mark.django_db
def test_empty_scorecard_gives_one_line_per_section(world):
    empty = make_scorecard(world.directorate, {"Customer": []}, owner=world.manager)
    asked = params("full-suite", scope="scorecard", scope_id=empty.pk)
    report = assemble(asked, user=world.manager, today=TODAY)
    for key, label in [
        ("summary", "Executive summary"),
        ("scorecard", "Scorecard"),
        ("appendix", "Appendix: PI definitions"),
    ]:
        assert blocks_of(report, key) == (content.Paragraph(f"Nothing to report under {label} for Oct 2026."),)
    contents = blocks_of(report, "contents")[0]
    assert [entry.title for entry in contents.entries] == ["Executive summary", "Scorecard", "Appendix: PI definitions"]


@pytest.mark.django_db
def test_signposts_and_charts_follow_the_scorecard(world):
    made = dossier(world)
    report = assemble(params("board", scope="scorecard", scope_id=made.scorecard.pk), user=world.manager, today=TODAY)
    posts = [block for block in walk(blocks_of(report, "signposts")) if isinstance(block, content.Signpost)]
    assert [(post.code, post.value, post.target, post.status.word) for post in posts] == [
        ("RENT01", "80.0%", "95.0%", "Off target"),
        ("SAT04", "97.0%", "95.0%", "On target"),
    ]
    charts = [block for block in walk(blocks_of(report, "scorecard")) if isinstance(block, content.Chart)]
    assert [chart.title for chart in charts] == [
        "RENT01 Rent collected as % of rent due",
        "SAT04 Tenant satisfaction",
    ]
    assert charts[0].series["labels"] == ["Aug 2026", "Sep 2026", "Oct 2026"]
    assert charts[0].series["values"] == [97.0, 97.0, 80.0]
    assert charts[0].series["targets"] == [95.0, 95.0, 95.0]
    tenants = assemble(
        params("tenants", scope="scorecard", scope_id=made.scorecard.pk), user=world.manager, today=TODAY
    )
    plain = [block for block in walk(blocks_of(tenants, "signposts")) if isinstance(block, content.Signpost)]
    assert [(post.code, post.trend) for post in plain] == [
        ("", "Getting worse since last time"),
        ("", "About the same since last time"),
    ]


@pytest.mark.django_db
def test_action_progress_by_plan(world):
    made = dossier(world)
    report = assemble(params("actions", scope="plan", scope_id=made.plan.pk), user=world.manager, today=TODAY)
    intro, plan = blocks_of(report, "actions")
    assert intro.text == "3 actions in 1 plan: 1 overdue and 1 to check progress as of 20 Nov 2026."
    assert plan.title == "HDP Housing delivery plan"
    table = plan.blocks[1]
    assert [row[0] for row in table.rows] == ["HDP 1.1", "HDP 1.2", "HDP 1.3"]
    assert [row[5].word for row in table.rows] == ["Overdue", "Check progress", "In progress"]


@pytest.mark.django_db
def test_scope_goes_through_the_access_rules(world):
    made = dossier(world)
    with pytest.raises(PermissionDenied):
        assemble(params("board", scope="scorecard", scope_id=made.scorecard.pk), user=world.outsider, today=TODAY)
    with pytest.raises(PermissionDenied):
        assemble(params("board", scope="scorecard", scope_id=made.scorecard.pk), user=world.viewer, today=TODAY)
    with pytest.raises(ObjectDoesNotExist):
        assemble(params("board", scope="scorecard", scope_id=made.scorecard.pk + 999), user=world.admin, today=TODAY)
    with pytest.raises(PermissionDenied):
        assemble(params("board", scope="unit", scope_id=world.team.pk), user=world.outsider, today=TODAY)


@pytest.mark.django_db
def test_unit_scope_shows_only_what_the_runner_may_see(world):
    dossier(world)
    make_pi("PROP01", world.other_directorate, ["red"], title="Property PI")
    asked = params("exceptions", scope="unit", scope_id=None)
    seen_by_manager = assemble(asked, user=world.manager, today=TODAY)
    subjects = {
        b.subject for b in walk(blocks_of(seen_by_manager, "exceptions")) if isinstance(b, content.ExceptionItem)
    }
    assert "PROP01 Property PI" not in subjects
    assert "RENT01 Rent collected as % of rent due" in subjects
    seen_by_admin = assemble(asked, user=world.admin, today=TODAY)
    subjects = {b.subject for b in walk(blocks_of(seen_by_admin, "exceptions")) if isinstance(b, content.ExceptionItem)}
    assert "PROP01 Property PI" in subjects


def _board(world, count):
    pis = [make_pi(f"Q{index:03d}", world.team, ["amber", "red", "red"], owner=world.manager) for index in range(count)]
    return make_scorecard(world.directorate, {"A": pis[::2], "B": pis[1::2]}, owner=world.manager, signposts=pis[:1])


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 12])
def test_query_count_does_not_grow_with_the_pis(world, count, django_assert_num_queries):
    scorecard = _board(world, count)
    asked = params("board", scope="scorecard", scope_id=scorecard.pk, sections=default_sections("board"))
    with django_assert_num_queries(QUERIES):
        assemble(asked, user=world.manager, today=TODAY)


QUERIES = 17  # the same for 1 PI and for 12


@pytest.mark.django_db
def test_risk_heat_map_and_top_risks(world):
    from risks.matrix import load_matrix
    from risks.models import Risk
    from risks.tests.factories import category, make_risk

    made = dossier(world)
    high = make_risk("SR 01", unit=world.team, owner=world.updater, current=(5, 4), category=category(appetite=9))
    rising = make_risk("SR 02", unit=world.team, owner=world.updater, current=(3, 3))
    make_risk("SR 03", unit=world.team, owner=world.updater, current=(1, 2), target=(1, 1))
    make_risk("PR 01", unit=world.other_directorate, owner=world.admin, current=(5, 5))  # not bob's
    Risk.objects.filter(pk=rising.pk).update(previous_score=4)
    report = assemble(params("risks", scope="unit", scope_id=world.directorate.pk), user=world.manager, today=TODAY)
    assert [section.key for section in report.sections] == ["cover", "contents", "risk-heatmap", "risk-top"]
    intro, bands, grid = blocks_of(report, "risk-heatmap")
    assert intro.text.startswith("3 open risks by their current likelihood and impact")
    matrix = load_matrix()
    assert sum(int(item.value) for item in bands.items) == 3
    assert grid.columns[0] == "Likelihood"
    five = grid.rows[0]  # most likely first
    assert five[0].startswith("5 ")
    assert five[4] == f"1 – {matrix.band(5, 4).name}"
    assert five[5] == f"0 – {matrix.band(5, 5).name}"  # PR 01 is not the manager's to see
    table, flagged = blocks_of(report, "risk-top")
    assert [row[0] for row in table.rows] == ["SR 01", "SR 02", "SR 03"]
    assert table.rows[0][4].word == f"20 {matrix.band(5, 4).name}"
    assert table.rows[0][5] == "Above appetite"
    assert [(item.subject, item.rule) for item in flagged.blocks] == [
        (f"SR 01 {high.title}", "Above appetite"),
        (f"SR 02 {rising.title}", "Rising"),
    ]
    assert flagged.blocks[0].detail == "Current score 20 against an appetite of 9"
    assert flagged.blocks[1].detail == "Current score 9 against an appetite of 9; 4 before"
    assert flagged.blocks[1].commentary.missing
    # a scope without risks says so in one line
    empty = assemble(params("risks", scope="plan", scope_id=made.plan.pk), user=world.manager, today=TODAY)
    assert blocks_of(empty, "risk-top") == (content.Paragraph("Nothing to report under Top risks for Oct 2026."),)


@pytest.mark.django_db
def test_assessment_gaps(world):
    from assessments.models import Response
    from assessments.tests.factories import load_test_framework, make_assessment, private_media

    private_media()
    framework = load_test_framework()
    assessment = make_assessment(framework, unit=world.team, lead=world.manager)
    responses = {r.node.code: r for r in assessment.responses.select_related("node")}
    target = responses["T1.1"].target_level
    Response.objects.filter(pk=responses["T1.1"].pk).update(
        level=target - 2, assigned_to=world.updater, areas_for_improvement="Publish the rent policy."
    )
    Response.objects.filter(pk=responses["T1.2"].pk).update(level=target)
    report = assemble(params("assessment", scope="assessment", scope_id=assessment.pk), user=world.manager, today=TODAY)
    blocks = blocks_of(report, "assessment-gaps")
    assert blocks[0].text.startswith(f"{assessment.title}: self-assessment against {framework.name}")
    gaps = blocks[-1]
    assert gaps.title == "Questions below target (1)"
    (item,) = gaps.blocks
    assert item.subject.startswith("T1.1 ")
    assert item.rule == "2 levels below target"
    assert item.owner == "Charlie Updater"
    assert item.commentary == content.Commentary(text="Publish the rent policy.")
    stricter = params("assessment", scope="assessment", scope_id=assessment.pk, exceptions={"assessment_gap_levels": 3})
    report = assemble(stricter, user=world.manager, today=TODAY)
    assert blocks_of(report, "assessment-gaps")[-1] == content.Paragraph(
        "No question is below its target by the levels this report flags."
    )
    with pytest.raises(PermissionDenied):
        assemble(params("assessment", scope="assessment", scope_id=assessment.pk), user=world.outsider, today=TODAY)


@pytest.mark.django_db
def test_last_year_column(world):
    made = dossier(world)
    asked = params("scorecard", scope="scorecard", scope_id=made.scorecard.pk, last_year=True, charts=False)
    report = assemble(asked, user=world.manager, today=TODAY)
    income = blocks_of(report, "scorecard")[0]
    (table,) = [block for block in income.blocks if isinstance(block, content.Table)]
    assert table.columns[-1] == "Same period last year"
    assert [row[-1] for row in table.rows] == ["–", "–"]  # three months of history only
    assert not any(isinstance(block, content.Chart) for block in income.blocks)
