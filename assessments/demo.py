"""Demo self-assessments for the Merebrook group, made with the services and tied to the demo's
units, people, plan objectives and PIs:

- Kestrel Living's KLOE mock inspection a year ago (moderated, one score changed by the moderator,
  signed off) and its re-assessment this month, which shows the improvement and is still being
  answered (some questions open, one overdue);
- the group's Consumer Standards self-assessment, in progress, with uploaded evidence, links to
  PIs, plan actions and regulator pages, and improvement actions under the plan objectives;
- Merebrook Homes' annual Complaint Handling Code self-assessment, signed off and ready to publish,
  with its evidence, commentary and the changes planned where a provision is not yet met.

Deterministic and idempotent: an assessment that exists (same title and unit) is left alone.
Dates are relative to the day the demo is loaded.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, EvidenceLink, Response
from indicators.models import Indicator
from plans.models import PlanItem

KLOE_MOCK_SCORES = {
    # KLOE id: (mock inspection score, re-assessment score); prospects use the 1-4 scale
    "access_customer_care": (1, 2),
    "diversity": (1, 2),
    "value_for_money": (1, 1),
    "housing_income": (2, 3),
    "resident_involvement": (1, 2),
    "tenancy_estate_management": (1, 2),
    "allocations_lettings": (2, 2),
    "leasehold_management": (0, 1),
    "supported_housing": (2, 3),
    "repairs_maintenance": (1, 2),
    "stock_investment": (1, 2),
    "homelessness_advice": (2, 2),
    "strategic_housing": (1, 2),
    "private_sector_housing": (1, 1),
    "regeneration_neighbourhood": (1, 2),
    "prospects_for_improvement": (2, 3),
}
# Still open in the re-assessment: (KLOE id, assignee, days from today it is due)
KLOE_OPEN = [("private_sector_housing", "kl.updater", 10), ("regeneration_neighbourhood", "kl.manager", -5)]
KLOE_STRENGTHS = {
    "housing_income": "Arrears fell for the fourth quarter running; every case has a named officer and a plan.",
    "supported_housing": "Support plans are reviewed every six months and residents sign them.",
    "resident_involvement": "The tenant panel now scrutinises two services a year and reports to the Board.",
    "repairs_maintenance": "Right-first-time repairs are up and the repairs survey is sent after every job.",
}
KLOE_AREAS = {
    "value_for_money": "Unit costs are not yet compared with peers for every service.",
    "leasehold_management": "Service charge statements still go out late; leaseholders are rarely consulted early.",
    "private_sector_housing": "No joint working protocol with the council's private sector team yet.",
}

# Consumer Standards: item code -> (score, assignee, evidence, strengths, areas for improvement)
STANDARDS_ANSWERS = {
    "SQ 1.1.1": (3, "mh.manager", ["AST02"], "Stock condition data covers 96% of homes.", ""),
    "SQ 2.1.1": (2, "mh.updater", ["AST02"], "", "One home in six has no physical survey in five years."),
    "SQ 2.1.2": (3, "mh.manager", [], "Investment plan is built from the condition data each year.", ""),
    "SQ 1.2.1": (3, "mh.manager", ["AST01", "RP01"], "Non-decent homes are below 1%.", ""),
    "SQ 1.3.1": (3, "lps.manager", ["CMP01", "BS01", "TP05"], "Big six compliance is reported monthly.", ""),
    "SQ 2.3.2": (2, "lps.updater", ["CMP04"], "", "High-risk fire actions slip in older blocks."),
    "SQ 1.4.1": (3, "mh.manager", ["REP01", "REP03", "TP02"], "Repairs performance is in the top quartile.", ""),
    "SQ 2.4.1": (4, "mh.updater", ["CUS01"], "Repairs can be reported by phone, web, app and in person.", ""),
    "SQ 2.4.3": (2, "mh.updater", ["TP03"], "", "Residents are not told when an appointment moves."),
    "TIA 1.1.1": (3, "mh.manager", ["TP08"], "Fair treatment score is above the sector median.", ""),
    "TIA 1.3.1": (2, "mh.manager", ["TP06"], "", "We rarely tell residents how their views changed a decision."),
    "TIA 2.2.1": (2, "mh.updater", ["TP06"], "", "Only the tenant panel is offered; no digital or estate options."),
    "TIA 1.5.1": (3, "mh.admin", ["TP01"], "TSMs are published with commentary each year.", ""),
    "TIA 1.6.1": (3, "mh.admin", ["CPL01", "CH02"], "Stage 1 responses within 10 days improved all year.", ""),
    "TIA 2.5.x": (2, "mh.admin", ["TP09"], "", "Learning from complaints is not yet reported to residents."),
    "NC 1.3.1": (3, "mh.manager", ["ASB02", "NM01"], "Joint ASB panel with the police meets monthly.", ""),
    "NC 2.2.x": (2, "mh.updater", ["TP12"], "", "Victims are not always told what response to expect."),
    "TEN 1.1.1": (3, "mh.manager", ["VOI05"], "Lettings policy reviewed with the council in 2025.", ""),
}
STANDARDS_OPEN = [("TEN 1.2.1", "mh.updater", 12), ("NC 2.3.1", "mh.manager", -3), ("TIA 2.1.1", "mh.admin", 20)]
STANDARDS_ACTIONS = [
    # item code, objective code, title
    ("SQ 2.1.1", "PS 1", "Survey every home without a physical survey in the last five years"),
    ("TIA 2.2.1", "CX 3", "Launch digital and estate-based ways for residents to influence services"),
    ("NC 2.2.x", "HS 3", "Publish ASB response standards and tell every victim what to expect"),
]
STANDARDS_DOCUMENTS = [
    # title, file name, items it evidences
    ("Stock condition survey programme 2026", "stock-condition-programme-2026.pdf", ["SQ 1.1.1", "SQ 2.1.1"]),
    ("Repairs and maintenance policy", "repairs-policy.pdf", ["SQ 1.4.1", "SQ 2.4.1", "SQ 2.4.3"]),
    ("Resident engagement strategy 2025-2028", "engagement-strategy.pdf", ["TIA 1.3.1", "TIA 2.2.1"]),
    ("Building safety compliance extract", "building-safety-extract.csv", ["SQ 1.3.1", "SQ 2.3.2"]),
]
STANDARDS_URLS = {
    "SQ 1.1.1": "https://www.gov.uk/government/collections/regulatory-standards",
    "TIA 1.5.1": "https://www.gov.uk/government/publications/tenant-satisfaction-measures-technical-requirements",
}
STANDARDS_PLAN_LINKS = {"SQ 1.4.1": "PS 1.1", "TIA 1.6.1": "CX 2.1", "NC 1.3.1": "HS 3.1"}

# Complaint Handling Code: provisions not yet met -> (commentary, objective code, planned change, months)
CODE_NOT_MET = {
    "3.4": (
        "The policy is on the website but not yet in an accessible format.",
        "CX 2",
        "Publish the complaints policy in accessible formats",
        2,
    ),
    "6.11": (
        "Stage 2 acknowledgements took longer than 5 working days in 14% of cases.",
        "MH SP 2",
        "Add a 5-day acknowledgement check to the stage 2 workflow",
        3,
    ),
    "9.7": (
        "The Board receives volumes and outcomes but not yet the trend reviews.",
        "CX 2",
        "Report complaint trends and Ombudsman findings to the Board quarterly",
        4,
    ),
}
CODE_DOCUMENTS = [
    ("Complaints policy 2026", "complaints-policy-2026.pdf", ["1.2", "1.3", "2.1", "2.2", "3.1", "5.1", "5.3"]),
    (
        "Annual complaints performance and service improvement report 2025-26",
        "complaints-annual-report-2025-26.pdf",
        ["8.1", "8.2", "9.1", "9.2", "9.3"],
    ),
    ("Complaint handling training record", "complaints-training-record.csv", ["3.2", "4.3"]),
]
CODE_PIS = {"6.3": "CPL01", "6.14": "CPL02", "6.2": "CH02", "9.2": "TP09"}
CODE_URL = "https://www.housing-ombudsman.org.uk/landlords-info/complaint-handling-code/the-code-2024"


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF showing TITLE and LINES (plain Helvetica), with a correct cross-reference table."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 18 Tf 72 770 Td ({escape(title)}) Tj ET"]
    for number, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 72 {740 - 16 * number} Td ({escape(line)}) Tj ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def _file(title: str, name: str, unit_name: str) -> ContentFile:
    if name.endswith(".csv"):
        content = (
            "measure,value,period\nHomes with a valid gas safety record,99.8%,Oct 2026\n"
            "Buildings with an in-date fire risk assessment,100%,Oct 2026\n"
            if "safety" in name
            else "name,course,completed\nComplaints team,Complaint Handling Code 2024,2026-05-14\n"
            "Contact centre,Recognising a complaint,2026-06-02\n"
        ).encode()
    else:
        content = _pdf(title, [unit_name, "Demo evidence document for the self-assessment."])
    return ContentFile(content, name=name)


def _responses(assessment: Assessment) -> dict[str, Response]:
    return {r.node.code: r for r in assessment.responses.select_related("node__scale")}


def _answer(response: Response, *, user, level, strengths="", areas="", assignee=None, due=None, target_date=None):
    services.save_response(
        response=response,
        user=user,
        level=level,
        target_level=response.target_level,
        not_applicable=False,
        strengths=strengths,
        areas_for_improvement=areas,
        target_date=target_date,
        assigned_to=assignee,
        due_date=due,
    )


def _targets(framework, by_key: dict[str, int]) -> dict[int, int]:
    return {scale.pk: by_key[scale.key] for scale in framework.scales.all() if scale.key in by_key}


@transaction.atomic
def seed_assessments(organisation: dict) -> None:
    """Load the three shipped libraries and create the demo assessments (see the module doc)."""
    units, people = organisation["units"], organisation["people"]
    kloe, standards, code = (framework for framework, _ in services.load_shipped_libraries())
    today = timezone.localdate()
    _kloe_rounds(kloe, units, people, today)
    _consumer_standards(standards, units, people, today)
    _complaint_code(code, units, people, today)


def _backdate(assessment: Assessment, *, days_after: int) -> None:
    """Give a past round's submission, moderation and sign-off the dates a real round would have
    had (the demo takes every step today)."""
    on = timezone.make_aware(datetime.datetime.combine(assessment.assessed_on, datetime.time(10)))
    Assessment.objects.filter(pk=assessment.pk).update(
        submitted_at=on + datetime.timedelta(days=days_after - 7),
        moderated_at=on + datetime.timedelta(days=days_after - 2),
        signed_off_at=on + datetime.timedelta(days=days_after),
    )


def _exists(title: str, unit) -> bool:
    return Assessment.objects.filter(title=title, org_unit=unit).exists()


def _kloe_rounds(framework, units, people, today: datetime.date) -> None:
    unit, lead = units["kl"], people["kl.admin"]
    targets = _targets(framework, {"service_quality": 2, "prospects_for_improvement": 3})
    year_ago = today - datetime.timedelta(days=365)
    mock_title = f"Housing KLOEs mock inspection {year_ago:%B %Y}"
    if not _exists(mock_title, unit):
        mock = services.create_assessment(
            framework=framework,
            org_unit=unit,
            kind=Assessment.Kind.MOCK_INSPECTION,
            title=mock_title,
            lead=lead,
            assessed_on=year_ago,
            due_date=year_ago + datetime.timedelta(days=21),
            targets=targets,
            shared_with=[people["kl.viewer"]],
            user=lead,
        )
        services.take_step(assessment=mock, name="start", user=lead)
        for kloe, response in _responses(mock).items():
            _answer(
                response,
                user=lead,
                level=KLOE_MOCK_SCORES[kloe][0],
                strengths=KLOE_STRENGTHS.get(kloe, "") and "Early signs: " + KLOE_STRENGTHS[kloe].lower(),
                areas=KLOE_AREAS.get(kloe, "Evidence is patchy; the approach is not yet consistent."),
                assignee=people["kl.manager"] if kloe == "supported_housing" else lead,
            )
        services.take_step(assessment=mock, name="submit", user=lead)
        moderator = people["group.admin"]
        services.moderate_response(
            response=_responses(mock)["supported_housing"],
            user=moderator,
            level=1,
            reason="Support plan reviews were not evidenced for two of the five schemes sampled.",
        )
        services.take_step(assessment=mock, name="moderate", user=moderator)
        services.take_step(assessment=mock, name="sign_off", user=moderator)
        _backdate(mock, days_after=30)

    again_title = f"Housing KLOEs re-assessment {today:%B %Y}"
    if _exists(again_title, unit):
        return
    again = services.create_assessment(
        framework=framework,
        org_unit=unit,
        kind=Assessment.Kind.SELF_ASSESSMENT,
        title=again_title,
        lead=lead,
        assessed_on=today - datetime.timedelta(days=14),
        due_date=today + datetime.timedelta(days=14),
        targets=targets,
        shared_with=[people["kl.viewer"]],
        user=lead,
    )
    services.take_step(assessment=again, name="start", user=lead)
    open_questions = {kloe: (username, days) for kloe, username, days in KLOE_OPEN}
    for kloe, response in _responses(again).items():
        if kloe in open_questions:
            username, days = open_questions[kloe]
            _answer(response, user=lead, level=None, assignee=people[username], due=today + datetime.timedelta(days))
            continue
        _answer(
            response,
            user=lead,
            level=KLOE_MOCK_SCORES[kloe][1],
            strengths=KLOE_STRENGTHS.get(kloe, "The improvement plan from the mock inspection is delivered."),
            areas=KLOE_AREAS.get(kloe, ""),
            assignee=people["kl.manager"] if kloe == "supported_housing" else lead,
            due=again.due_date,
        )


def _add_evidence(assessment, responses, documents, user, unit_name) -> None:
    for title, name, codes in documents:
        services.add_document(
            assessment=assessment,
            content=_file(title, name, unit_name),
            name=name,
            title=title,
            user=user,
            responses=[responses[code] for code in codes if code in responses],
        )


def _link_pi(response, code: str, user) -> None:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is not None:
        services.link_evidence(response=response, user=user, kind=EvidenceLink.Kind.INDICATOR, indicator=indicator)


def _consumer_standards(framework, units, people, today: datetime.date) -> None:
    unit, lead = units["mhg"], people["group.admin"]
    title = f"Consumer Standards self-assessment {today.year}"
    if _exists(title, unit):
        return
    assessment = services.create_assessment(
        framework=framework,
        org_unit=unit,
        kind=Assessment.Kind.SELF_ASSESSMENT,
        title=title,
        lead=lead,
        assessed_on=today - datetime.timedelta(days=40),
        due_date=today + datetime.timedelta(days=20),
        targets=_targets(framework, {"judgement": 3}),
        shared_with=[people["mh.viewer"], people["kl.viewer"], people["lps.viewer"]],
        user=lead,
    )
    services.take_step(assessment=assessment, name="start", user=lead)
    responses = _responses(assessment)
    for item, (level, username, pis, strengths, areas) in STANDARDS_ANSWERS.items():
        response = responses[item]
        _answer(
            response,
            user=people[username],
            level=level,
            strengths=strengths,
            areas=areas,
            assignee=people[username],
            due=assessment.due_date,
            target_date=today + datetime.timedelta(days=180) if level < 3 else None,
        )
        for code in pis:
            _link_pi(response, code, people[username])
    for item, username, days in STANDARDS_OPEN:
        _answer(responses[item], user=lead, level=None, assignee=people[username], due=today + datetime.timedelta(days))
    _add_evidence(assessment, responses, STANDARDS_DOCUMENTS, lead, unit.name)
    for item, url in STANDARDS_URLS.items():
        services.link_evidence(
            response=responses[item], user=lead, kind=EvidenceLink.Kind.URL, url=url, note="The regulator's text"
        )
    for item, action_code in STANDARDS_PLAN_LINKS.items():
        action = PlanItem.objects.filter(code=action_code).first()
        if action is not None:
            services.link_evidence(
                response=responses[item], user=lead, kind=EvidenceLink.Kind.PLAN_ITEM, plan_item=action
            )
    for item, objective_code, action_title in STANDARDS_ACTIONS:
        objective = PlanItem.objects.filter(code=objective_code, kind=PlanItem.Kind.OBJECTIVE).first()
        if objective is None:
            continue
        response = responses[item]
        services.create_improvement_action(
            response=response,
            objective=objective,
            code=services.suggested_action_code(objective),
            title=action_title,
            user=lead,
            assigned_to=response.assigned_to,
            due_date=today + datetime.timedelta(days=150),
        )


def _complaint_code(framework, units, people, today: datetime.date) -> None:
    unit, lead = units["mh"], people["mh.admin"]
    start = today - datetime.timedelta(days=75)
    year = start.year if start.month >= 4 else start.year - 1
    title = f"Complaint Handling Code self-assessment {year}/{(year + 1) % 100:02d}"
    if _exists(title, unit):
        return
    assessment = services.create_assessment(
        framework=framework,
        org_unit=unit,
        kind=Assessment.Kind.ANNUAL_CODE,
        title=title,
        lead=lead,
        assessed_on=start,
        due_date=start + datetime.timedelta(days=30),
        targets=_targets(framework, {"comply": 1}),
        shared_with=[people["mh.viewer"]],
        user=lead,
    )
    services.take_step(assessment=assessment, name="start", user=lead)
    responses = _responses(assessment)
    for provision, response in responses.items():
        not_met = CODE_NOT_MET.get(provision)
        _answer(
            response,
            user=lead,
            level=0 if not_met else 1,
            strengths="" if not_met else "Set out in the complaints policy and checked in the monthly case audit.",
            areas=not_met[0] if not_met else "",
            assignee=lead,
            target_date=today + datetime.timedelta(days=30 * not_met[3]) if not_met else None,
        )
    _add_evidence(assessment, responses, CODE_DOCUMENTS, lead, unit.name)
    for provision, pi in CODE_PIS.items():
        _link_pi(responses[provision], pi, lead)
    services.link_evidence(
        response=responses["1.2"], user=lead, kind=EvidenceLink.Kind.URL, url=CODE_URL, note="The Code (2024)"
    )
    for provision, (_, objective_code, action_title, months) in CODE_NOT_MET.items():
        objective = PlanItem.objects.filter(code=objective_code, kind=PlanItem.Kind.OBJECTIVE).first()
        if objective is not None:
            services.create_improvement_action(
                response=responses[provision],
                objective=objective,
                code=services.suggested_action_code(objective),
                title=action_title,
                user=lead,
                assigned_to=lead,
                due_date=today + datetime.timedelta(days=30 * months),
            )
    moderator = people["group.admin"]
    services.take_step(assessment=assessment, name="submit", user=lead)
    services.take_step(assessment=assessment, name="moderate", user=moderator)
    services.take_step(assessment=assessment, name="sign_off", user=moderator)
    _backdate(assessment, days_after=40)
