"""Pages of the assessments module: what each shows, the evidence download, the outputs, and
query counts that do not grow with rows."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.library import parse_library
from assessments.models import Assessment, Document, EvidenceLink, FrameworkNode, Response
from assessments.tests.factories import PDF, document, make_assessment
from indicators.models import Indicator
from plans.tests.factories import plan_world


def library(questions: int, key: str = "sized") -> bytes:
    """A framework with two themes sharing QUESTIONS questions, each on the 1-4 scale."""
    lines = [
        f"framework: {{key: {key}, name: Sized framework}}",
        "scales:",
        "  - key: levels",
        "    name: Judgement",
        "    levels: [{value: 1, label: Poor}, {value: 2, label: Fair},",
        "             {value: 3, label: Good}, {value: 4, label: Top}]",
        "nodes:",
        "  - {code: A, title: Theme A}",
        "  - {code: B, title: Theme B}",
    ]
    lines += [f"  - {{code: Q{n}, title: Question {n}, parent: {'AB'[n % 2]}}}" for n in range(questions)]
    return "\n".join(lines).encode()


def sized_assessment(world, questions: int, *, title="Sized", key="sized", levels=None):
    framework, _ = services.install_library(library=parse_library(library(questions, key)))
    assessment = make_assessment(framework, unit=world.team, lead=world.manager, title=title)
    for number, response in enumerate(assessment.responses.order_by("node__lft")):
        level = (levels or (lambda n: 1 + n % 4))(number)
        Response.objects.filter(pk=response.pk).update(level=level, assigned_to=world.updater)
    return assessment


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("page", ["assessment-detail", "assessment-gaps", "assessment-print", "assessment-export"])
def test_assessment_pages_query_count_does_not_grow_with_questions(world, client_for, page):
    client = client_for(world.manager)
    small = sized_assessment(world, 2, key="small")
    large = sized_assessment(world, 60, key="large")
    for assessment in (small, large):
        response = assessment.responses.order_by("node__lft").first()
        EvidenceLink.objects.create(response=response, kind="url", url="https://example.org/a")
        document(assessment)
    one = count_queries(client, reverse(page, kwargs={"pk": small.pk}))
    many = count_queries(client, reverse(page, kwargs={"pk": large.pk}))
    assert one == many


def test_comparison_query_count_does_not_grow_with_questions(world, client_for):
    client = client_for(world.manager)
    counts = []
    for questions, key in ((2, "c-small"), (60, "c-large")):
        before = sized_assessment(world, questions, key=key, title="Before", levels=lambda n: 1)
        after = sized_assessment(world, questions, key=key, title="After", levels=lambda n: 2)
        counts.append(
            count_queries(client, reverse("assessment-compare", kwargs={"pk": after.pk}) + f"?with={before.pk}")
        )
    assert counts[0] == counts[1]


def test_assessment_list_query_count_does_not_grow_with_assessments(world, client_for):
    client = client_for(world.manager)
    framework, _ = services.install_library(library=parse_library(library(3)))
    make_assessment(framework, unit=world.team, lead=world.manager, title="First")
    one = count_queries(client, reverse("assessment-list"))
    for number in range(30):
        make_assessment(framework, unit=world.team, lead=world.manager, title=f"Round {number}")
    many = count_queries(client, reverse("assessment-list"))
    assert one == many
    page = client.get(reverse("assessment-list")).content.decode()
    assert "31 assessments" in page and "0 of 3" in page


def test_framework_list_and_page_query_counts_do_not_grow(world, client_for):
    client = client_for(world.viewer)
    small, _ = services.install_library(library=parse_library(library(2, "f-small")))
    one_list = count_queries(client, reverse("framework-list"))
    one_page = count_queries(client, reverse("framework-detail", kwargs={"pk": small.pk}))
    large, _ = services.install_library(library=parse_library(library(80, "f-large")))
    for number in range(5):
        services.install_library(library=parse_library(library(2 + number, f"f-{number}")))
    assert count_queries(client, reverse("framework-list")) == one_list
    assert count_queries(client, reverse("framework-detail", kwargs={"pk": large.pk})) == one_page


def test_documents_and_response_pages_query_counts_do_not_grow(world, client_for, aw):
    client = client_for(world.manager)
    docs_url = reverse("assessment-documents", kwargs={"pk": aw.assessment.pk})
    # T1.2's audit trail holds only its creation, so the history panel at the foot of the page has
    # the same kind of entries (improvement actions added) with one row and with many
    response = aw.other_response
    response_url = reverse("response-detail", kwargs={"pk": response.pk})
    plans = plan_world(world)

    def add_rows(numbers):
        for number in numbers:
            saved = document(aw.assessment, title=f"Doc {number}", name=f"doc{number}.pdf")
            services.link_evidence(response=response, user=world.manager, kind="document", document=saved)
            services.create_improvement_action(
                response=response,
                objective=plans.objective,
                code=f"IA {number}",
                title=f"Fix {number}",
                user=world.manager,
            )
            indicator = Indicator.objects.create(code=f"INC{number}", title="Rent collected", org_unit=world.team)
            services.link_evidence(response=response, user=world.manager, kind="indicator", indicator=indicator)

    add_rows([0])  # one row of each kind: one document, one improvement action, one linked PI
    one_docs, one_response = count_queries(client, docs_url), count_queries(client, response_url)
    add_rows(range(1, 9))
    assert count_queries(client, docs_url) == one_docs
    assert count_queries(client, response_url) == one_response


def test_my_work_lists_my_open_questions_in_constant_queries(world, client_for):
    client = client_for(world.updater)
    framework, _ = services.install_library(library=parse_library(library(2)))
    assessment = make_assessment(framework, unit=world.team, lead=world.manager)
    assessment.responses.update(assigned_to=world.updater, due_date=datetime.date(2020, 1, 1))
    one = count_queries(client, reverse("home"))
    big, _ = services.install_library(library=parse_library(library(40, "big")))
    make_assessment(big, unit=world.team, lead=world.manager).responses.update(assigned_to=world.updater)
    assert count_queries(client, reverse("home")) == one
    page = client.get(reverse("home")).content.decode()
    assert "42 questions to answer, <strong>2 overdue</strong>." in page


def test_assessment_page_shows_rolled_up_scores_progress_and_marks(world, client_for, aw):
    responses = {r.node.code: r for r in aw.assessment.responses.select_related("node")}
    for code, level in (("T1.1", 3), ("T1.2", 2), ("X1", 1)):
        Response.objects.filter(pk=responses[code].pk).update(level=level)
    page = client_for(world.viewer).get(reverse("assessment-detail", kwargs={"pk": aw.assessment.pk}))
    html = page.content.decode()
    assert "<td>2.25</td>" in html  # T1: (3*2 + 2 + 1) / 4
    assert "1.75 below target" in html
    assert "Unverified" in html and "Cross-cutting" in html
    assert '<td>Charlie Updater</td><td class="num">1</td><td class="num">0</td>' in html
    assert "Compliance statement to publish" in html
    assert "Workflow" not in html  # the viewer reads only


def test_assignee_scores_through_the_form_and_sees_the_gap(world, client_for, aw):
    client = client_for(world.updater)
    url = reverse("response-edit", kwargs={"pk": aw.response.pk})
    form = client.get(url).content.decode()
    assert 'name="assigned_to"' not in form  # set-up is for those who run the assessment
    answer = {"level": "2", "target_level": "4", "strengths": "Weekly arrears reviews", "version": aw.response.version}
    assert client.post(url, answer).status_code == 302
    saved = Response.objects.get(pk=aw.response.pk)
    assert (saved.level, saved.answered_by, saved.strengths) == (2, world.updater, "Weekly arrears reviews")
    detail = client.get(reverse("response-detail", kwargs={"pk": aw.response.pk})).content.decode()
    assert "2.00 below target" in detail and "Arrears fall each quarter" in detail  # the node's own criterion
    refused = client.post(url, {**answer, "level": "9", "version": saved.version})
    assert refused.status_code == 200
    assert "Select a valid choice. 9 is not one of the available choices." in refused.content.decode()
    stale = client.post(url, {**answer, "level": "1"})
    assert stale.status_code == 409 and Response.objects.get(pk=aw.response.pk).level == 2


def test_upload_through_the_page_and_download_with_access_rules(world, client_for, aw, settings):
    client = client_for(world.updater)
    url = reverse("response-evidence", kwargs={"pk": aw.response.pk})
    upload = SimpleUploadedFile("arrears-report.pdf", PDF)
    assert client.post(url, {"kind": "upload", "file": upload, "title": "Arrears report"}).status_code == 302
    saved = Document.objects.get(title="Arrears report")
    download = client_for(world.viewer).get(reverse("evidence-download", kwargs={"pk": saved.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="arrears-report.pdf"'
    assert b"".join(download.streaming_content) == PDF
    assert client_for(world.outsider).get(reverse("evidence-download", kwargs={"pk": saved.pk})).status_code == 404
    # the file is not reachable as a public media URL
    assert client_for(world.admin).get(f"/media/{saved.file.name}").status_code == 404


def test_a_refused_upload_shows_the_message_and_stores_nothing(world, client_for, aw, settings):
    before = Document.objects.count()
    page = client_for(world.updater).post(
        reverse("response-evidence", kwargs={"pk": aw.response.pk}),
        {"kind": "upload", "file": SimpleUploadedFile("minutes.pdf", b"just text, not a PDF")},
    )
    assert page.status_code == 200
    assert "“minutes.pdf” does not contain a PDF as its .pdf name says" in page.content.decode()
    assert Document.objects.count() == before


def test_a_name_with_folders_never_reaches_the_disk_as_given(world, client_for, aw):
    client_for(world.updater).post(
        reverse("response-evidence", kwargs={"pk": aw.response.pk}),
        {"kind": "upload", "file": SimpleUploadedFile("../../outside.pdf", PDF)},
    )
    saved = Document.objects.filter(assessment=aw.assessment).latest("pk")
    # Django's upload parser drops the folders; the stored name is random under evidence/
    assert saved.original_name == "outside.pdf"
    assert saved.file.name.startswith("evidence/") and ".." not in saved.file.name


def test_linking_a_pi_shows_its_status(world, client_for, aw):
    Indicator.objects.create(code="INC01", title="Rent collected", org_unit=world.team, latest_status="red")
    client = client_for(world.manager)
    url = reverse("response-evidence", kwargs={"pk": aw.response.pk})
    assert client.post(url, {"kind": "indicator", "indicator_code": "inc01"}).status_code == 302
    missing = client.post(url, {"kind": "indicator", "indicator_code": "NOPE"})
    assert "No PI you can see has the code “NOPE”." in missing.content.decode()
    detail = client.get(reverse("response-detail", kwargs={"pk": aw.response.pk})).content.decode()
    assert "INC01 Rent collected" in detail and "status--red" in detail


def test_improvement_action_from_the_page_shows_on_both_sides(world, client_for, aw):
    plans = plan_world(world)
    client = client_for(world.updater)
    url = reverse("response-action", kwargs={"pk": aw.response.pk})
    assert client.post(url, {"objective": plans.objective.pk, "title": "Weekly arrears clinic"}).status_code == 302
    action = aw.response.improvement_actions.get()
    assert (action.code, action.parent) == ("H 1.3", plans.objective)
    detail = client.get(reverse("response-detail", kwargs={"pk": aw.response.pk})).content.decode()
    assert "H 1.3 Weekly arrears clinic" in detail and "Not started" in detail
    plan_page = client.get(reverse("planitem-detail", kwargs={"pk": action.pk})).content.decode()
    assert "Self-assessment questions" in plan_page
    assert f'T1.1 Rent collection</a> <span class="hint">in {aw.assessment.title}' in plan_page


def test_workflow_buttons_move_the_assessment_and_refusals_are_explained(world, client_for, aw):
    client = client_for(world.manager)
    url = reverse("assessment-step", kwargs={"pk": aw.assessment.pk})
    page = client.post(url, {"step": "submit"}, follow=True).content.decode()
    assert "5 questions are not answered yet" in page
    assert Assessment.objects.get(pk=aw.assessment.pk).status == "in_progress"


def test_moderation_page_keeps_both_scores(world, client_for, aw):
    foreign = aw.foreign_response  # submitted assessment without a lead; scored 2
    client = client_for(world.admin)
    url = reverse("response-moderate", kwargs={"pk": foreign.pk})
    assert (
        client.post(url, {"level": "1", "reason": "No evidence of audits", "version": foreign.version}).status_code
        == 302
    )
    page = client.get(reverse("response-detail", kwargs={"pk": foreign.pk})).content.decode()
    assert "The assessor scored 2 (Fair)" in page and "changed it to 1 (Poor)" in page
    assert "Reason: No evidence of audits" in page


def test_export_csv_has_a_row_per_node_with_scores_and_evidence(world, client_for, aw):
    Response.objects.filter(pk=aw.response.pk).update(level=3, strengths="Good")
    body = client_for(world.manager).get(reverse("assessment-export", kwargs={"pk": aw.assessment.pk}) + "?format=csv")
    assert body["Content-Disposition"].startswith('attachment; filename="assessment-')
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Code", "Title", "Kind", "Verified", "Score", "Score label"]
    by_code = {row[0]: row for row in rows[1:]}
    assert sorted(by_code) == ["C", "C.1", "T1", "T1.1", "T1.2", "T2", "T2.1", "X1"]
    assert by_code["T1.1"][4:7] == ["3.00", "3 – Good", "3"]
    assert by_code["T1.1"][16] == "https://example.org/rent"
    assert by_code["T1.2"][3] == "Unverified"
    xlsx = client_for(world.manager).get(reverse("assessment-export", kwargs={"pk": aw.assessment.pk}) + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_compliance_statement_in_the_published_layout(world, client_for, aw):
    c1 = aw.assessment.responses.get(node__code="C.1")
    services.save_response(
        response=c1,
        user=world.manager,
        level=0,
        target_level=1,
        not_applicable=False,
        strengths="",
        areas_for_improvement="Policy not yet single",
        target_date=datetime.date(2027, 3, 31),
    )
    services.link_evidence(response=c1, user=world.manager, kind="document", document=aw.document)
    services.create_improvement_action(
        response=c1,
        objective=plan_world(world).objective,
        code="C 1",
        title="Merge the two policies",
        user=world.manager,
    )
    html = (
        client_for(world.viewer).get(reverse("assessment-statement", kwargs={"pk": aw.assessment.pk})).content.decode()
    )
    assert '<th scope="col">Provision</th><th scope="col">Requirement</th><th scope="col">Comply</th>' in html
    assert '<span class="comply-no">No</span>' in html
    assert "Document: Rent policy" in html and "Policy not yet single" in html
    assert "Merge the two policies" in html and "Expected to comply by 31 March 2027." in html
    assert "not yet signed off" in html


def test_comparison_shows_change_per_node_and_a_chart(world, client_for):
    before = sized_assessment(world, 4, key="cmp", title="Mock inspection", levels=lambda n: 1)
    Assessment.objects.filter(pk=before.pk).update(assessed_on=datetime.date(2025, 12, 1))
    after = sized_assessment(world, 4, key="cmp", title="Re-assessment", levels=lambda n: 1 + n % 2)
    html = client_for(world.manager).get(reverse("assessment-compare", kwargs={"pk": after.pk})).content.decode()
    assert "Mock inspection (1 Dec 2025) against Re-assessment" in html
    assert "2 questions improved, 0 declined." in html
    assert 'id="compare-chart-data"' in html and '"type": "bar"' in html
    assert "<td>1.00</td>" not in html
    assert '<td class="num">0.50</td>' in html  # theme B: 1.00 -> 1.50


def test_printable_page_lists_commentary_evidence_and_moderation(world, client_for, aw):
    Response.objects.filter(pk=aw.response.pk).update(level=3, moderated_level=2, moderation_reason="Thin evidence")
    html = client_for(world.viewer).get(reverse("assessment-print", kwargs={"pk": aw.assessment.pk})).content.decode()
    assert "assessor 3, moderated to 2: Thin evidence" in html
    assert "https://example.org/rent" in html


def test_framework_list_shows_how_many_items_are_unverified(world, client_for, aw):
    html = client_for(world.viewer).get(reverse("framework-list")).content.decode()
    row = html.split(">Test framework</a>")[1].split("</tr>")[0]
    assert '<span class="tag tag--unverified">1 unverified</span>' in row
    local = html.split(">Data quality</a>")[1].split("</tr>")[0]
    assert '<td class="num">None</td>' in local


def test_long_tables_escape_what_people_typed(world, client_for, aw):
    FrameworkNode.objects.filter(framework=aw.framework, code="T1.1").update(title="Rent <b>collection</b>")
    Response.objects.filter(pk=aw.response.pk).update(level=1, target_level=4)
    world.updater.name = "Charlie <i>Updater</i>"
    world.updater.save()
    before = make_assessment(aw.framework, unit=world.team, lead=world.manager, title="Earlier <round>")
    Assessment.objects.filter(pk=before.pk).update(assessed_on=datetime.date(2025, 12, 1))
    client = client_for(world.manager)
    for page in ("assessment-detail", "assessment-gaps", "assessment-compare"):
        html = client.get(reverse(page, kwargs={"pk": aw.assessment.pk})).content.decode()
        assert "Rent &lt;b&gt;collection&lt;/b&gt;" in html and "<b>collection" not in html, page
        assert "<i>Updater" not in html, page
    detail = client.get(reverse("assessment-detail", kwargs={"pk": aw.assessment.pk})).content.decode()
    assert "<td>Charlie &lt;i&gt;Updater&lt;/i&gt;</td>" in detail
    gaps = client.get(reverse("assessment-gaps", kwargs={"pk": aw.assessment.pk})).content.decode()
    assert '<td class="num">4</td><td><span class="gap gap--short">3.00 below target</span></td>' in gaps


@pytest.mark.parametrize("hostile", ["²", "NaN", "-1", "123456789012345678901234567890", "<script>"])
def test_ids_and_sizes_in_query_strings_that_are_not_ids_are_ignored(world, client_for, aw, hostile):
    client = client_for(world.manager)
    assert client.get(reverse("assessment-list"), {"size": hostile}).status_code == 200
    picker = client.get(reverse("assessment-create"), {"framework": hostile})
    assert (picker.status_code, picker.templates[0].name) == (200, "assessments/assessment_pick.html")
    compare = reverse("assessment-compare", kwargs={"pk": aw.assessment.pk})
    assert client.get(compare, {"with": hostile}).status_code == 200
