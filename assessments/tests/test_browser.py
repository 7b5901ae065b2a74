"""An assignee answers a self-assessment question in the browser: scores it, uploads a document as
evidence and creates an improvement action in the plan; every page on the way is axe-core clean."""

import pytest

from assessments.models import Document, Response
from assessments.tests.factories import PDF, assessment_world
from plans.models import PlanItem
from plans.tests.factories import plan_world
from pmf.tests.browser import serious_violations, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_assignee_scores_a_question_with_evidence_and_an_improvement_action(browser, live_server, world):
    aw = assessment_world(world)
    plans = plan_world(world)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server, "charlie")

    page.get_by_role("link", name="Assessments", exact=True).click()
    page.get_by_role("link", name=aw.assessment.title).first.click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Rent collection", exact=True).click()
    page.wait_for_url(f"**{aw.response.get_absolute_url()}")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Score and comment").click()
    assert serious_violations(page) == []
    page.get_by_label("Score", exact=True).select_option("2")
    page.get_by_label("Target", exact=True).select_option("4")
    page.get_by_label("Strengths").fill("Weekly arrears reviews with each officer.")
    page.get_by_label("Areas for improvement").fill("Arrears advice reaches tenants late.")
    page.get_by_role("button", name="Save the answer").click()
    page.get_by_text("Saved T1.1.").wait_for()
    assert "2.00 below target" in page.locator("dl.summary-list").inner_text()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Add evidence").click()
    assert serious_violations(page) == []
    page.get_by_label("File (required)").set_input_files(
        {"name": "arrears-review.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Title", exact=True).fill("Arrears review, November")
    page.get_by_role("button", name="Upload and link").click()
    page.get_by_text("Uploaded Arrears review, November as evidence for T1.1.").wait_for()
    evidence = page.locator("section", has=page.get_by_role("heading", name="Evidence", exact=True))
    assert "Arrears review, November" in evidence.inner_text()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Create an improvement action").click()
    assert serious_violations(page) == []
    page.get_by_label("Objective it serves (required)").select_option(str(plans.objective.pk))
    page.get_by_label("Action (required)").fill("Send arrears advice in the first week")
    page.get_by_role("button", name="Create the action").click()
    page.get_by_text("Created improvement action H 1.3 under H 1.").wait_for()
    actions = page.locator("section", has=page.get_by_role("heading", name="Improvement actions"))
    assert "H 1.3 Send arrears advice in the first week" in actions.inner_text()
    assert "Not started" in actions.inner_text()
    assert serious_violations(page) == []

    # the golden thread the other way: the action's page names the question it addresses
    actions.get_by_role("link", name="H 1.3 Send arrears advice in the first week").click()
    thread = page.locator("section", has=page.get_by_role("heading", name="Golden thread"))
    assert "Addresses T1.1 Rent collection" in thread.inner_text()
    assert serious_violations(page) == []

    saved = Response.objects.get(pk=aw.response.pk)
    assert (saved.level, saved.target_level, saved.answered_by) == (2, 4, world.updater)
    document = Document.objects.get(title="Arrears review, November")
    assert (document.original_name, list(document.links.values_list("response", flat=True))) == (
        "arrears-review.pdf",
        [saved.pk],
    )
    action = PlanItem.objects.get(code="H 1.3")
    assert (action.parent, action.assigned_to, list(action.assessment_responses.all())) == (
        plans.objective,
        world.updater,
        [saved],
    )
