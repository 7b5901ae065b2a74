"""Assessments for tests, hung off the `world` fixture's organisation.

LIBRARY is a small framework in the project's own layout: two themes on a 1-4 scale with a
cross-cutting question, and a yes/no theme (so the compliance statement has something to show).
"""

import atexit
import datetime
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.test.utils import override_settings

from assessments import services
from assessments.library import parse_library
from assessments.models import Assessment, Document, EvidenceLink, Framework, FrameworkNode, Response

TODAY = datetime.date(2026, 12, 1)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

LIBRARY = b"""
framework:
  key: test-framework
  name: Test framework
  publisher: Test publisher
scales:
  - key: levels
    name: Judgement
    levels:
      - {value: 1, label: Poor, descriptor: Falls short}
      - {value: 2, label: Fair}
      - {value: 3, label: Good}
      - {value: 4, label: Excellent}
  - key: comply
    name: Complies
    kind: compliance
    levels:
      - {value: 0, label: "No"}
      - {value: 1, label: "Yes"}
nodes:
  - {code: T1, title: Income, kind: Theme}
  - {code: T1.1, title: Rent collection, parent: T1, weight: 2, descriptors: {3: Arrears fall each quarter}}
  - {code: T1.2, title: Arrears advice, parent: T1, verified: false}
  - {code: T2, title: Repairs, kind: Theme}
  - {code: T2.1, title: Right first time, parent: T2}
  - {code: X1, title: Value for money, parent: T2, also_under: [T1], notes: Cross-cutting}
  - {code: C, title: Complaints code, kind: Section, scale: comply}
  - {code: C.1, title: Single policy, parent: C, scale: comply}
"""


def load_test_framework() -> Framework:
    framework, _ = services.install_library(library=parse_library(LIBRARY))
    return framework


def private_media() -> None:
    """Keep files written by tests out of the project's media folder: point MEDIA_ROOT at a
    temporary folder (made once, removed when the test run ends) whenever it is not in one already.
    Checked on every call: a per-test settings override made before the first call (pytest's
    `settings` fixture) undoes this one when that test ends."""
    if Path(settings.MEDIA_ROOT).resolve().is_relative_to(Path(tempfile.gettempdir()).resolve()):
        return
    folder = getattr(private_media, "folder", None)
    if folder is None:
        folder = private_media.folder = tempfile.mkdtemp(prefix="pmf-test-media-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    override_settings(MEDIA_ROOT=folder).enable()


@dataclass
class AssessmentWorld:
    framework: Framework
    assessment: Assessment
    response: Response
    other_response: Response
    document: Document
    link: EvidenceLink
    other_assessment: Assessment
    foreign_response: Response
    foreign_document: Document
    local_framework: Framework
    local_node: FrameworkNode


def make_assessment(framework, *, unit, lead, title="Self-assessment 2026", status="in_progress", **extra):
    assessment = services.create_assessment(
        framework=framework,
        org_unit=unit,
        kind=Assessment.Kind.SELF_ASSESSMENT,
        title=title,
        lead=lead,
        assessed_on=extra.pop("assessed_on", TODAY),
        due_date=extra.pop("due_date", TODAY + datetime.timedelta(days=30)),
        targets={scale.pk: scale.values[-1] for scale in framework.scales.all()},
        **extra,
    )
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


def document(assessment, *, title="Rent policy", name="rent-policy.pdf", content=PDF, user=None) -> Document:
    return services.add_document(
        assessment=assessment, content=ContentFile(content, name=name), name=name, title=title, user=user
    )


def assessment_world(world) -> AssessmentWorld:
    """An in-progress assessment of the Rents Team led by bob (manager), question T1.1 assigned to
    charlie (updater), shared with dora (viewer), with a document and a web link; a submitted
    assessment of the Property directorate (no lead) that only admins see; a local framework the
    performance team is still building. Built once per world."""
    if getattr(world, "assessments", None) is not None:
        return world.assessments
    private_media()
    framework = load_test_framework()
    assessment = make_assessment(framework, unit=world.team, lead=world.manager, shared_with=[world.viewer])
    responses = {r.node.code: r for r in assessment.responses.select_related("node")}
    response = responses["T1.1"]
    Response.objects.filter(pk=response.pk).update(assigned_to=world.updater)
    response.refresh_from_db()
    doc = document(assessment)
    link = EvidenceLink.objects.create(
        response=response, kind=EvidenceLink.Kind.URL, url="https://example.org/rent", added_by=world.manager
    )
    other = make_assessment(
        framework, unit=world.other_directorate, lead=None, title="Property self-assessment", status="submitted"
    )
    foreign = other.responses.get(node__code="T1.1")
    Response.objects.filter(pk=foreign.pk).update(level=2)
    foreign.refresh_from_db()
    foreign_doc = document(other, title="Stock survey", name="stock.pdf")
    local = services.create_local_framework(
        key="data-quality",
        name="Data quality",
        publisher="",
        description="",
        scale_name="Judgement",
        compliance=False,
        levels=[{"value": 1, "label": "Weak", "descriptor": ""}, {"value": 2, "label": "Strong", "descriptor": ""}],
        user=world.admin,
    )
    root = local.nodes.get(parent=None)
    node = services.save_node(
        node=FrameworkNode(framework=local, parent=root, code="DQ1", title="Definitions", scale=local.scales.get())
    )
    world.assessments = AssessmentWorld(
        framework,
        assessment,
        response,
        responses["T1.2"],
        doc,
        link,
        other,
        foreign,
        foreign_doc,
        local,
        node,
    )
    return world.assessments
