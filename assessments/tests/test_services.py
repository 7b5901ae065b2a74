"""Writes of the assessments module: the workflow, answers and moderation, evidence uploads and
improvement actions, against a real database."""

import datetime
import io
import os
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from assessments import scores as scoring
from assessments import services
from assessments import status as rules
from assessments.models import Assessment, Document, EvidenceLink, Response
from assessments.tests.factories import PDF, document, load_test_framework, make_assessment
from plans.models import PlanItem
from plans.tests.factories import plan_world
from pmf.locking import EditConflict


def answer(response, user, level, **extra):
    values = {
        "level": level,
        "target_level": response.target_level,
        "not_applicable": False,
        "strengths": "",
        "areas_for_improvement": "",
        "target_date": None,
    }
    values.update(extra)
    return services.save_response(response=response, user=user, **values)


@pytest.fixture
def setup(world):
    framework = load_test_framework()
    assessment = make_assessment(framework, unit=world.team, lead=world.manager, status="draft")
    return assessment, {r.node.code: r for r in assessment.responses.select_related("node__scale")}


def test_creating_an_assessment_makes_a_response_per_question_with_the_targets(world, setup):
    assessment, responses = setup
    assert sorted(responses) == ["C.1", "T1.1", "T1.2", "T2.1", "X1"]
    assert (responses["T1.1"].target_level, responses["C.1"].target_level) == (4, 1)
    assert assessment.status == "draft"


def test_a_target_off_the_scale_is_refused_and_nothing_is_created(world):
    framework = load_test_framework()
    scale = framework.scales.get(key="levels")
    with pytest.raises(ValidationError) as refused:
        services.create_assessment(
            framework=framework,
            org_unit=world.team,
            kind="self_assessment",
            title="X",
            lead=world.manager,
            assessed_on=datetime.date(2026, 12, 1),
            targets={scale.pk: 9},
        )
    assert refused.value.message_dict == {
        f"target_{scale.pk}": ["9 is not on the scale; the target must be one of 1, 2, 3, 4."]
    }
    assert Assessment.objects.count() == 0 and Response.objects.count() == 0


def test_scores_roll_up_as_weighted_means_including_cross_cutting_questions(world, setup):
    assessment, responses = setup
    for code, level in (("T1.1", 3), ("T1.2", 2), ("T2.1", 4), ("X1", 1)):
        answer(responses[code], world.manager, level)
    answer(responses["C.1"], world.manager, 0, target_date=datetime.date(2027, 3, 31))
    result = scoring.score_assessment(assessment)
    rows = result.by_code()
    # T1: T1.1 (3, weight 2), T1.2 (2) and the cross-cutting X1 (1): (6 + 2 + 1) / 4
    assert rows["T1"].score == Decimal("2.25")
    assert rows["T2"].score == Decimal("2.50")
    assert rows["T1"].gap == Decimal("1.75")  # targets are 4 throughout
    assert [(o.scale.key, o.score) for o in result.overall] == [
        ("levels", Decimal("2.38")),
        ("comply", Decimal("0.00")),
    ]
    assert [row.node.code for row in result.gaps()] == ["X1", "T1.2", "T1.1", "C.1"]  # ties in framework order
    assert [row.gap for row in result.gaps()] == [Decimal("3.00"), Decimal("2.00"), Decimal("1.00"), Decimal("1.00")]


def test_a_score_outside_the_scale_is_refused(world, setup):
    _, responses = setup
    with pytest.raises(ValidationError) as refused:
        answer(responses["T1.1"], world.manager, 7)
    assert refused.value.message_dict == {"level": ["7 is not on the scale; the score must be one of 1, 2, 3, 4."]}
    assert Response.objects.get(pk=responses["T1.1"].pk).level is None


def test_a_no_on_a_compliance_question_needs_the_date_it_will_comply(world, setup):
    _, responses = setup
    with pytest.raises(ValidationError) as refused:
        answer(responses["C.1"], world.manager, 0)
    assert refused.value.message_dict == {"target_date": ["Give the date by which you expect to comply."]}
    answer(responses["C.1"], world.manager, 0, target_date=datetime.date(2027, 3, 31))
    assert Response.objects.get(pk=responses["C.1"].pk).level == 0


def test_a_stale_form_is_refused_as_an_edit_conflict(world, setup):
    _, responses = setup
    response = responses["T1.1"]
    loaded = response.version
    answer(response, world.manager, 3)
    with pytest.raises(EditConflict):
        answer(Response.objects.get(pk=response.pk), world.updater, 1, expected_version=loaded)
    assert Response.objects.get(pk=response.pk).level == 3


def test_workflow_submit_needs_every_question_answered(world, setup):
    assessment, responses = setup
    services.take_step(assessment=assessment, name="start", user=world.manager)
    with pytest.raises(rules.WorkflowError) as refused:
        services.take_step(assessment=assessment, name="submit", user=world.manager)
    assert str(refused.value) == (
        "5 questions are not answered yet; score each one (or mark it not applicable) before submitting."
    )
    for code in ("T1.1", "T1.2", "T2.1", "X1"):
        answer(responses[code], world.manager, 3)
    answer(responses["C.1"], world.manager, None, not_applicable=True)
    assessment = services.take_step(assessment=assessment, name="submit", user=world.manager)
    assert assessment.status == "submitted" and assessment.submitted_at is not None


def _submitted(world, setup):
    assessment, responses = setup
    services.take_step(assessment=assessment, name="start", user=world.manager)
    for code in ("T1.1", "T1.2", "T2.1", "X1"):
        answer(responses[code], world.manager, 3)
    answer(responses["C.1"], world.manager, 1)
    services.take_step(assessment=assessment, name="submit", user=world.manager)
    return assessment, {code: Response.objects.get(pk=r.pk) for code, r in responses.items()}


def test_after_submission_a_score_changes_only_by_moderation_keeping_both_scores(world, setup):
    assessment, responses = _submitted(world, setup)
    with pytest.raises(ValidationError) as refused:
        answer(responses["T1.1"], world.manager, 2)
    assert refused.value.message_dict["level"] == [
        "The assessment is submitted: a score changes now only by moderation (a second person, with a reason)."
    ]
    # the lead (a manager) cannot moderate their own assessment; a second person can
    with pytest.raises(PermissionDenied):
        services.moderate_response(response=responses["T1.1"], user=world.manager, level=2, reason="x")
    with pytest.raises(ValidationError) as no_reason:
        services.moderate_response(response=responses["T1.1"], user=world.admin, level=2, reason=" ")
    assert no_reason.value.message_dict == {"reason": ["Say why the score changes."]}
    services.moderate_response(response=responses["T1.1"], user=world.admin, level=2, reason="No arrears audit.")
    moderated = Response.objects.get(pk=responses["T1.1"].pk)
    assert (moderated.level, moderated.moderated_level, moderated.score) == (3, 2, 2)
    assert (moderated.moderation_reason, moderated.moderated_by) == ("No arrears audit.", world.admin)
    assert moderated.history.first().history_change_reason == "Moderated: No arrears audit."
    assert scoring.score_assessment(assessment).by_code()["T1"].score == Decimal("2.50")  # (2*2 + 3 + 3) / 4


def test_moderation_then_sign_off_makes_the_assessment_read_only(world, setup):
    assessment, responses = _submitted(world, setup)
    with pytest.raises(rules.WorkflowError):
        services.take_step(assessment=assessment, name="moderate", user=world.manager)  # the lead
    services.take_step(assessment=assessment, name="moderate", user=world.admin)
    signed = services.take_step(assessment=assessment, name="sign_off", user=world.manager)
    assert (signed.status, signed.signed_off_by) == ("signed_off", world.manager)
    with pytest.raises(ValidationError) as refused:
        answer(responses["T1.1"], world.admin, 4)
    assert refused.value.messages == [f"{assessment.title} is signed off: nothing in it can change."]
    with pytest.raises(ValidationError):
        services.link_evidence(response=responses["T1.1"], user=world.admin, kind="url", url="https://example.org")
    assert Response.objects.get(pk=responses["T1.1"].pk).level == 3
    assert EvidenceLink.objects.count() == 0


def test_an_assignee_cannot_move_the_workflow(world, setup):
    assessment, _ = setup
    with pytest.raises(rules.WorkflowError) as refused:
        services.take_step(assessment=assessment, name="start", user=world.updater)
    assert (
        str(refused.value) == "“Start the assessment” is for the lead, a manager of the unit or the performance team."
    )


# Evidence uploads ------------------------------------------------------------------------------


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def stored_files(settings) -> list[str]:
    folder = settings.MEDIA_ROOT / "evidence"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_a_good_upload_is_stored_under_a_random_name_and_linked(world, setup, settings):
    assessment, responses = setup
    saved = services.add_document(
        assessment=assessment,
        content=ContentFile(docx_bytes()),
        name="Rent policy.docx",
        title="",
        user=world.updater,
        responses=[responses["T1.1"], responses["X1"]],
    )
    assert saved.title == "Rent policy.docx" and saved.original_name == "Rent policy.docx"
    assert saved.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert saved.file.name.startswith("evidence/") and "Rent" not in saved.file.name
    assert len(saved.file.name) > len("evidence/") + 30 and saved.file.name.endswith(".docx")
    assert stored_files(settings) == [saved.file.name.removeprefix("evidence/")]
    assert sorted(saved.links.values_list("response__node__code", flat=True)) == ["T1.1", "X1"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("payload.exe", b"MZ\x90\x00", "Files of type .exe are not accepted; upload one of .pdf, .docx, .xlsx"),
        ("notes", b"text", "Files without an extension are not accepted"),
        ("empty.pdf", b"", "“empty.pdf” is empty."),
        ("fake.pdf", b"<html>not a pdf</html>", "“fake.pdf” does not contain a PDF as its .pdf name says"),
        ("fake.docx", PDF, "“fake.docx” does not contain a Word document as its .docx name says"),
        ("binary.csv", b"a,b\n\x00\x01", "“binary.csv” does not contain a CSV file as its .csv name says"),
        ("../../etc/passwd.pdf", PDF, "“../../etc/passwd.pdf” is not a plain file name"),
        ("folder\\report.pdf", PDF, "“folder\\report.pdf” is not a plain file name"),
    ],
)
def test_bad_uploads_are_refused_with_a_message_and_nothing_stored(world, setup, settings, name, content, message):
    assessment, responses = setup
    with pytest.raises(ValidationError) as refused:
        services.add_document(
            assessment=assessment,
            content=ContentFile(content),
            name=name,
            title="",
            user=world.updater,
            responses=[responses["T1.1"]],
        )
    assert refused.value.message_dict["file"][0].startswith(message)
    assert Document.objects.count() == 0 and EvidenceLink.objects.count() == 0
    assert stored_files(settings) == []


def test_an_oversized_upload_is_refused(world, setup, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    assessment, _ = setup
    with pytest.raises(ValidationError) as refused:
        services.add_document(
            assessment=assessment, content=ContentFile(PDF + b" " * 2000), name="big.pdf", title="", user=None
        )
    assert refused.value.message_dict == {"file": ["“big.pdf” is 2 KB; evidence files may be at most 1 KB."]}
    assert stored_files(settings) == []


def test_one_document_evidences_several_questions_and_deleting_it_removes_the_file(world, setup, settings):
    assessment, responses = setup
    saved = document(assessment)
    for code in ("T1.1", "T2.1"):
        services.link_evidence(response=responses[code], user=world.manager, kind="document", document=saved)
    with pytest.raises(ValidationError) as twice:
        services.link_evidence(response=responses["T1.1"], user=world.manager, kind="document", document=saved)
    assert twice.value.message_dict == {"document": ["This is already evidence for the question."]}
    assert saved.links.count() == 2
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.delete_document(document=saved, user=world.manager)
    assert EvidenceLink.objects.count() == 0 and stored_files(settings) == []


def test_a_document_of_another_assessment_cannot_be_linked(world, setup):
    assessment, responses = setup
    other = make_assessment(assessment.framework, unit=world.team, lead=world.manager, title="Other")
    with pytest.raises(ValidationError) as refused:
        services.link_evidence(
            response=responses["T1.1"], user=world.manager, kind="document", document=document(other)
        )
    assert refused.value.message_dict == {"document": ["Choose a document of this assessment."]}


# Improvement actions -----------------------------------------------------------------------------


def test_an_improvement_action_is_a_plan_action_under_the_objective_linked_both_ways(world, setup):
    assessment, responses = setup
    plans = plan_world(world)
    action = services.create_improvement_action(
        response=responses["T1.2"],
        objective=plans.objective,
        code=services.suggested_action_code(plans.objective),
        title="Train advisers in money advice",
        user=world.updater,
        assigned_to=world.updater,
        due_date=datetime.date(2027, 3, 31),
    )
    assert (action.code, action.kind, action.parent, action.org_unit) == (
        "H 1.3",
        "action",
        plans.objective,
        world.team,
    )
    assert (action.managed_by, action.assigned_to, action.status) == (world.manager, world.updater, "not_started")
    assert list(responses["T1.2"].improvement_actions.all()) == [action]
    assert list(action.assessment_responses.all()) == [responses["T1.2"]]
    assert action.history.count() == 1


def test_an_improvement_action_needs_an_objective(world, setup):
    _, responses = setup
    plans = plan_world(world)
    with pytest.raises(ValidationError) as refused:
        services.create_improvement_action(
            response=responses["T1.2"], objective=plans.action, code="X 1", title="x", user=world.manager
        )
    assert refused.value.message_dict == {"objective": ["Choose an active objective to put the action under."]}
    assert not PlanItem.objects.filter(code="X 1").exists()
