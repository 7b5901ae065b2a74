"""Writes of the self-assessments module. Every service is keyword-only and atomic and lists its
side effects; views, commands and the demo call these and nothing else to change assessments."""

import hashlib
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments import evidence
from assessments import status as rules
from assessments.library import COMPLIANCE, MAX_BYTES, Library, check_size, parse_library
from assessments.models import Assessment, Document, EvidenceLink, Framework, FrameworkNode, Response, Scale
from plans import services as plan_services
from plans.models import PlanItem
from pmf.locking import EditConflict

LIBRARIES = Path(__file__).parent / "libraries"
SHIPPED = ("housing_kloes.yaml", "consumer_standards.yaml", "complaint_handling_code.yaml")
UNCHANGED = object()


# Frameworks -----------------------------------------------------------------------------------


def _root(framework: Framework, scale: Scale) -> FrameworkNode:
    """The root node of FRAMEWORK's tree; its tree id is the framework's id, so versions loaded at
    the same time never compete for a tree number."""
    root = FrameworkNode(
        framework=framework,
        code="",
        title=framework.name,
        kind_label="Framework",
        scale=scale,
        tree_id=framework.pk,
        lft=1,
        rght=2,
        level=0,
    )
    FrameworkNode.objects.bulk_create([root])
    return root


@transaction.atomic
def install_library(*, library: Library, source_file: str = "", user=None) -> tuple[Framework, bool]:
    """Load LIBRARY (already checked by assessments.library) as a framework version.

    The same content as the newest version of its key changes nothing and returns that version
    (created False). Anything else becomes a new version (1 for a new key); earlier versions and
    the assessments made against them are left as they are.
    Side effects: one Framework (history row), its Scales and FrameworkNodes (history rows, bulk)
    and the cross-cutting links."""
    digest = library.digest()
    newest = Framework.objects.filter(key=library.key).order_by("-version").first()
    if newest is not None and newest.digest == digest:
        return newest, False
    framework = Framework.objects.create(
        key=library.key,
        version=(newest.version + 1) if newest else 1,
        name=library.name,
        publisher=library.publisher,
        edition=library.edition,
        effective_date=library.effective_date,
        licence=library.licence,
        sources=library.sources,
        about=library.about,
        kind=Framework.Kind.LIBRARY,
        digest=digest,
        source_file=source_file,
        created_by=user,
    )
    scales = {}
    for position, spec in enumerate(library.scales):
        scales[spec.key] = Scale.objects.create(
            framework=framework,
            key=spec.key,
            name=spec.name,
            question=spec.question,
            kind=Scale.Kind.COMPLIANCE if spec.kind == COMPLIANCE else Scale.Kind.GRADED,
            position=position,
            levels=[{"value": lv.value, "label": lv.label, "descriptor": lv.descriptor} for lv in spec.levels],
        )
    _build_tree(framework, library, scales)
    return framework, True


def _build_tree(framework: Framework, library: Library, scales: dict) -> None:
    """Write LIBRARY's nodes under a new root with their MPTT numbers worked out here, one bulk
    insert per depth (parents first, so each child knows its parent's id)."""
    children: dict[str | None, list] = {}
    for spec in library.nodes:
        children.setdefault(spec.parent, []).append(spec)
    cross_parents = {parent for spec in library.nodes for parent in spec.also_under}
    root = _root(framework, scales[library.scales[0].key])
    numbers: dict[str, tuple[int, int, int]] = {}
    counter = 1

    def number(spec, depth: int) -> None:
        nonlocal counter
        counter += 1
        left = counter
        for child in children.get(spec.code, ()):
            number(child, depth + 1)
        counter += 1
        numbers[spec.code] = (left, counter, depth)

    for top in children.get(None, ()):
        number(top, 1)
    FrameworkNode.objects.filter(pk=root.pk).update(rght=counter + 1)
    ids = {None: root.pk}
    by_depth: dict[int, list] = {}
    for position, spec in enumerate(library.nodes):
        by_depth.setdefault(numbers[spec.code][2], []).append((position, spec))
    for depth in sorted(by_depth):
        rows = []
        for position, spec in by_depth[depth]:
            left, right, level = numbers[spec.code]
            rows.append(
                FrameworkNode(
                    framework=framework,
                    parent_id=ids[spec.parent],
                    code=spec.code,
                    title=spec.title,
                    kind_label=spec.kind_label,
                    description=spec.description,
                    guidance=spec.guidance,
                    notes=spec.notes,
                    weight=spec.weight,
                    scale=scales[spec.scale],
                    verified=spec.verified,
                    descriptors={str(value): text for value, text in spec.descriptors.items()},
                    position=position,
                    is_question=spec.code not in children and spec.code not in cross_parents,
                    tree_id=framework.pk,
                    lft=left,
                    rght=right,
                    level=level,
                )
            )
        for node in bulk_create_with_history(rows, FrameworkNode, batch_size=500):
            ids[node.code] = node.pk
    through = FrameworkNode.also_under.through
    through.objects.bulk_create(
        [
            through(from_frameworknode_id=ids[spec.code], to_frameworknode_id=ids[parent])
            for spec in library.nodes
            for parent in spec.also_under
        ]
    )


def load_library_file(*, path: Path, user=None) -> tuple[Framework, bool]:
    """Read, check and install the library in the YAML file PATH (see install_library).
    Raises LibraryError (naming lines and codes) and loads nothing when the file has a problem."""
    path = Path(path)
    check_size(path.stat().st_size)
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return install_library(library=parse_library(data), source_file=path.name, user=user)


@transaction.atomic
def load_shipped_libraries(*, user=None) -> list[tuple[Framework, bool]]:
    """Load or update the three libraries shipped in assessments/libraries (idempotent).
    Side effects: those of install_library for each library whose content changed."""
    return [load_library_file(path=LIBRARIES / name, user=user) for name in SHIPPED]


@transaction.atomic
def create_local_framework(
    *,
    key: str,
    name: str,
    publisher: str,
    description: str,
    scale_name: str,
    compliance: bool,
    levels: list[dict],
    user,
) -> Framework:
    """A framework the performance team builds in the browser (a data-quality self-assessment),
    with one judgement scale of LEVELS ([{value, label, descriptor}], at least two, distinct
    values) and an empty tree. KEY new: version 1; an existing key: the next version.
    Side effects: Framework, Scale and root node created (history rows)."""
    values = [level["value"] for level in levels]
    if len(values) < 2 or len(set(values)) != len(values):
        raise ValidationError({"levels": "Give at least two levels, each with a different value."})
    if compliance and sorted(values) != [0, 1]:
        raise ValidationError({"levels": "A yes/no scale has exactly the levels 0 (No) and 1 (Yes)."})
    newest = Framework.objects.filter(key=key).aggregate(Max("version"))["version__max"] or 0
    framework = Framework(
        key=key,
        version=newest + 1,
        name=name,
        publisher=publisher,
        description=description,
        kind=Framework.Kind.LOCAL,
        created_by=user,
    )
    framework.full_clean()
    framework.save()
    scale = Scale.objects.create(
        framework=framework,
        key="levels",
        name=scale_name,
        kind=Scale.Kind.COMPLIANCE if compliance else Scale.Kind.GRADED,
        levels=sorted(levels, key=lambda level: level["value"]),
    )
    _root(framework, scale)
    return framework


def framework_is_editable(framework: Framework) -> bool:
    """A local framework is built and changed until an assessment uses it; a library never is
    (a changed library is loaded as a new version)."""
    return framework.is_local and not framework.assessments.exists()


def _refresh_questions(framework: Framework) -> None:
    """Which nodes are questions: those with nothing below them, in the tree or cross-cutting."""
    nodes = FrameworkNode.objects.filter(framework=framework)
    inner = set(nodes.exclude(parent=None).values_list("parent_id", flat=True))
    inner |= set(
        FrameworkNode.also_under.through.objects.filter(to_frameworknode__framework=framework).values_list(
            "to_frameworknode_id", flat=True
        )
    )
    nodes.filter(pk__in=inner).exclude(is_question=False).update(is_question=False)
    nodes.exclude(pk__in=inner).exclude(parent=None).exclude(is_question=True).update(is_question=True)


@transaction.atomic
def save_node(*, node: FrameworkNode, also_under: list[FrameworkNode] | None = None) -> FrameworkNode:
    """Create or change NODE of a local framework that no assessment uses yet. ALSO_UNDER replaces
    the other parents it sits under (cross-cutting).
    Refused (ValidationError naming the field) for a library or a framework in use, a repeated
    code, a parent from another framework, a descriptor for a level not on the scale, or a
    cross-cutting link that would make a loop.
    Side effects: history row for NODE; the question flags of the framework refreshed."""
    framework = node.framework
    if not framework_is_editable(framework):
        raise ValidationError(
            "This framework cannot change: libraries change only by loading a new version, and a local "
            "framework is fixed once an assessment uses it."
        )
    if node.parent_id is None or node.parent.framework_id != framework.pk:
        raise ValidationError({"parent": "Choose where the node sits in this framework."})
    if node.pk and (node.parent_id == node.pk or node.parent.is_descendant_of(node)):
        raise ValidationError({"parent": "A node cannot sit under itself or one of its own nodes."})
    if node.scale.framework_id != framework.pk:
        raise ValidationError({"scale": "Choose a scale of this framework."})
    for value in node.descriptors:
        if int(value) not in node.scale.values:
            raise ValidationError({"descriptors": f"Level {value} is not on the scale {node.scale.name}."})
    node.full_clean(exclude=MPTT_EXCLUDED)
    others = list(also_under or [])
    for other in others:
        if other.framework_id != framework.pk or other.pk == node.pk or other.pk == node.parent_id:
            raise ValidationError({"also_under": f"{other} cannot be an extra parent of this node."})
        if node.pk and _reaches(node.pk, other.pk):
            raise ValidationError({"also_under": f"Placing the node also under {other} would make a loop."})
    if node.position == 0:
        node.position = (
            FrameworkNode.objects.filter(framework=framework).aggregate(Max("position"))["position__max"] or 0
        ) + 1
    node.parent.refresh_from_db(fields=["lft", "rght", "tree_id", "level"])
    node.save()
    if also_under is not None:
        node.also_under.set(others)
    _refresh_questions(framework)
    return node


MPTT_EXCLUDED = ["lft", "rght", "tree_id", "level", "is_question"]


def _reaches(start: int, goal: int) -> bool:
    """Whether GOAL is below START through tree children or cross-cutting links."""
    node = FrameworkNode.objects.get(pk=start)
    seen = set(node.get_descendants(include_self=True).values_list("pk", flat=True))
    frontier = set(seen)
    while frontier:
        if goal in frontier:
            return True
        crossing = set(
            FrameworkNode.also_under.through.objects.filter(to_frameworknode_id__in=frontier).values_list(
                "from_frameworknode_id", flat=True
            )
        )
        below = set()
        for child in FrameworkNode.objects.filter(pk__in=crossing - seen):
            below |= set(child.get_descendants(include_self=True).values_list("pk", flat=True))
        frontier = below - seen
        seen |= frontier
    return False


# Assessments ---------------------------------------------------------------------------------


@transaction.atomic
def create_assessment(
    *,
    framework: Framework,
    org_unit,
    kind: str,
    title: str,
    lead,
    assessed_on,
    due_date=None,
    targets: dict[int, int | None] | None = None,
    shared_with=(),
    user=None,
) -> Assessment:
    """A new assessment of ORG_UNIT against FRAMEWORK (as a draft), with an empty response for every
    question of the framework. TARGETS gives the target level per scale id ({scale id: level});
    each is checked against its scale.
    Side effects: Assessment (history row) and its Responses (history rows, bulk)."""
    if not framework.nodes.filter(is_question=True).exists():
        raise ValidationError({"framework": "This framework has no questions yet."})
    targets = targets or {}
    scales = {scale.pk: scale for scale in framework.scales.all()}
    for scale_id, level in targets.items():
        try:
            rules.check_level(level, scales[scale_id].values, field=f"target_{scale_id}", label="target")
        except ValueError as exc:
            raise ValidationError({f"target_{scale_id}": str(exc).split(": ", 1)[1]}) from None
    assessment = Assessment(
        framework=framework,
        org_unit=org_unit,
        kind=kind,
        title=title,
        lead=lead,
        assessed_on=assessed_on,
        due_date=due_date,
    )
    assessment.full_clean()
    assessment.save()
    if shared_with:
        assessment.shared_with.set(shared_with)
    questions = framework.nodes.filter(is_question=True).order_by("tree_id", "lft").values_list("pk", "scale_id")
    bulk_create_with_history(
        [
            Response(assessment=assessment, node_id=node_id, target_level=targets.get(scale_id), due_date=due_date)
            for node_id, scale_id in questions
        ],
        Response,
        batch_size=1000,
        default_user=user,
    )
    return assessment


@transaction.atomic
def save_assessment(*, assessment: Assessment, shared_with=None) -> Assessment:
    """Save changes to ASSESSMENT's details (title, lead, dates, summary, who it is shared with).
    Refused once it is signed off. Side effects: history row."""
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if rules.is_read_only(current.status):
        raise ValidationError(f"{current.title} is {current.get_status_display().lower()} and can no longer change.")
    assessment.full_clean()
    assessment.save()
    if shared_with is not None:
        assessment.shared_with.set(shared_with)
    return assessment


@transaction.atomic
def take_step(*, assessment: Assessment, name: str, user) -> Assessment:
    """Move ASSESSMENT along the workflow by the step NAME (assessments.status.TRANSITIONS).
    Refused (WorkflowError) when the step does not start from the current status or USER may
    not take it; submitting also needs every question answered.
    Side effects: status and its date/person fields saved (history row)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    runs_it = Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()
    oversees = Assessment.objects.overseen_by(user).filter(pk=assessment.pk).exists()
    transition = rules.check_transition(
        assessment.status, name, runs_it=runs_it, oversees=oversees, is_lead=assessment.lead_id == user.pk
    )
    if transition.name == "submit":
        unanswered = assessment.responses.filter(level__isnull=True, not_applicable=False).count()
        if unanswered:
            raise rules.WorkflowError(
                f"{unanswered} question{'s are' if unanswered != 1 else ' is'} not answered yet; score "
                "each one (or mark it not applicable) before submitting."
            )
    now = timezone.now()
    assessment.status = transition.target
    if transition.name == "submit":
        assessment.submitted_at = now
    elif transition.name == "moderate":
        assessment.moderated_by, assessment.moderated_at = user, now
    elif transition.name == "sign_off":
        assessment.signed_off_by, assessment.signed_off_at = user, now
    assessment._change_reason = transition.label
    assessment._history_user = user
    assessment.save()
    return assessment


# Responses -----------------------------------------------------------------------------------


def _claim_version(response: Response, expected_version: int | None) -> None:
    expected = response.version if expected_version is None else expected_version
    if not Response.objects.filter(pk=response.pk, version=expected).update(version=F("version") + 1):
        raise EditConflict(
            f"{response.node.code or response.node.title} was changed by someone else after you opened it. "
            "Reload the page to see their changes, then make yours again.",
            instance=response,
        )
    response.version = expected + 1


def _writable(response: Response) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=response.assessment_id)
    if rules.is_read_only(assessment.status):
        raise ValidationError(
            f"{assessment.title} is {assessment.get_status_display().lower()}: nothing in it can change."
        )
    return assessment


@transaction.atomic
def save_response(
    *,
    response: Response,
    user,
    level: int | None,
    target_level: int | None,
    not_applicable: bool,
    strengths: str,
    areas_for_improvement: str,
    target_date,
    assigned_to=UNCHANGED,
    due_date=UNCHANGED,
    expected_version: int | None = None,
) -> Response:
    """Record the answer to a question: its score and target (levels of the node's scale), whether
    it is not applicable, the commentary and the target date; ASSIGNED_TO and DUE_DATE when given
    (set-up, for those who run the assessment).
    Refused (ValidationError naming the field) after sign-off, for a score or target not on the
    scale, for a score change after submission (that is moderation), and for a "No" on a
    compliance scale without a target date. EditConflict when someone saved the response after
    EXPECTED_VERSION was loaded.
    Side effects: one history row; version bumped; answered by/at set when the answer changes."""
    assessment = _writable(response)
    scale = response.node.scale
    errors = {}
    for field, value, label in (("level", level, "score"), ("target_level", target_level, "target")):
        try:
            rules.check_level(value, scale.values, field=field, label=label)
        except ValueError as exc:
            errors[field] = str(exc).split(": ", 1)[1]
    if not_applicable:
        level = None
    stored = Response.objects.get(pk=response.pk)
    answer_changed = (level, not_applicable) != (stored.level, stored.not_applicable)
    if answer_changed and not rules.can_score(assessment.status):
        errors["level"] = (
            f"The assessment is {assessment.get_status_display().lower()}: a score changes now only by "
            "moderation (a second person, with a reason)."
        )
    if rules.target_date_missing(
        compliance=scale.is_compliance, level=level, target=target_level, target_date=target_date
    ):
        errors["target_date"] = "Give the date by which you expect to comply."
    if errors:
        raise ValidationError(errors)
    _claim_version(response, expected_version)
    response.level = level
    response.target_level = target_level
    response.not_applicable = not_applicable
    response.strengths = strengths
    response.areas_for_improvement = areas_for_improvement
    response.target_date = target_date
    if assigned_to is not UNCHANGED:
        response.assigned_to = assigned_to
    if due_date is not UNCHANGED:
        response.due_date = due_date
    if answer_changed:
        response.answered_by = user if (level is not None or not_applicable) else None
        response.answered_at = timezone.now() if (level is not None or not_applicable) else None
    response._history_user = user
    response.save()
    return response


@transaction.atomic
def moderate_response(
    *, response: Response, user, level: int, reason: str, expected_version: int | None = None
) -> Response:
    """A moderator's score for RESPONSE, kept beside the assessor's (which is not changed), with
    REASON. Only while the assessment is submitted, only by a manager over its unit or an admin
    who is not its lead; the score must be on the scale and the reason given. Setting the
    assessor's own score again clears the moderation.
    Side effects: one history row; version bumped."""
    assessment = _writable(response)
    if not rules.can_moderate(assessment.status):
        state = assessment.get_status_display().lower()
        raise ValidationError({"level": f"Scores are moderated once the assessment is submitted; it is {state}."})
    if not Assessment.objects.overseen_by(user).filter(pk=assessment.pk).exists() or assessment.lead_id == user.pk:
        raise PermissionDenied(
            "A second person moderates: a manager of the unit or the performance team, not the lead."
        )
    if level is None:
        raise ValidationError({"level": "Choose the moderated score."})
    try:
        rules.check_level(level, response.node.scale.values, field="level", label="moderated score")
    except ValueError as exc:
        raise ValidationError({"level": str(exc).split(": ", 1)[1]}) from None
    reason = reason.strip()
    original = Response.objects.values_list("level", flat=True).get(pk=response.pk)
    if level != original and not reason:
        raise ValidationError({"reason": "Say why the score changes."})
    _claim_version(response, expected_version)
    if level == original:
        response.moderated_level, response.moderation_reason = None, ""
        response.moderated_by, response.moderated_at = None, None
    else:
        response.moderated_level, response.moderation_reason = level, reason
        response.moderated_by, response.moderated_at = user, timezone.now()
    response._change_reason = f"Moderated: {reason}" if reason else "Moderation cleared"
    response._history_user = user
    response.save()
    return response


# Evidence ------------------------------------------------------------------------------------


@transaction.atomic
def add_document(*, assessment: Assessment, content, name: str, title: str, user, responses=()) -> Document:
    """Store the uploaded file CONTENT (named NAME) as evidence of ASSESSMENT and link it to
    RESPONSES (of the same assessment). Refused with a message, and nothing stored, for a
    signed-off assessment or a file the evidence rule refuses (type, size, empty, content not
    matching its extension, a name with folders).
    Side effects: the file written under MEDIA_ROOT/evidence/ with a random name; Document and
    EvidenceLinks created (history rows)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if rules.is_read_only(assessment.status):
        raise ValidationError(f"{assessment.title} is {assessment.get_status_display().lower()}: nothing can be added.")
    try:
        file_type = evidence.check_upload(content, name)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if any(response.assessment_id != assessment.pk for response in responses):
        raise ValidationError({"responses": "Evidence of this assessment can only support its own questions."})
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in iter(lambda: content.read(1024 * 1024), b""):
        digest.update(chunk)
    content.seek(0)
    document = Document(
        assessment=assessment,
        title=(title or name).strip()[:200],
        original_name=name,
        content_type=file_type.content_type,
        size=content.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    document.file.save(name, content, save=False)
    stored_name = document.file.name
    try:
        document.save()
        for response in responses:
            EvidenceLink.objects.create(
                response=response, kind=EvidenceLink.Kind.DOCUMENT, document=document, added_by=user
            )
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    return document


@transaction.atomic
def link_evidence(
    *,
    response: Response,
    user,
    kind: str,
    document: Document | None = None,
    indicator=None,
    plan_item: PlanItem | None = None,
    other_response: Response | None = None,
    url: str = "",
    note: str = "",
) -> EvidenceLink:
    """Add one piece of evidence to RESPONSE: a document of the same assessment, a PI, a plan
    action, another response or a web address (KIND says which). Refused after sign-off, for a
    document of another assessment, a response citing itself, or a link it already has.
    Side effects: EvidenceLink created (history row)."""
    _writable(response)
    link = EvidenceLink(
        response=response,
        kind=kind,
        document=document,
        indicator=indicator,
        plan_item=plan_item,
        other_response=other_response,
        url=url.strip(),
        note=note.strip(),
        added_by=user,
    )
    field = EvidenceLink.TARGET_FIELDS.get(kind)
    if field is None:
        raise ValidationError({"kind": "Choose what kind of evidence this is."})
    if not getattr(link, field):
        raise ValidationError({field: "Choose the evidence to link."})
    if document is not None and document.assessment_id != response.assessment_id:
        raise ValidationError({"document": "Choose a document of this assessment."})
    if other_response is not None and other_response.pk == response.pk:
        raise ValidationError({"other_response": "A response cannot be its own evidence."})
    if field != "url" and response.evidence.filter(kind=kind, **{field: getattr(link, field)}).exists():
        raise ValidationError({field: "This is already evidence for the question."})
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def remove_evidence(*, link: EvidenceLink, user) -> None:
    """Remove LINK from its response (the document itself stays with the assessment). Refused
    after sign-off. Side effects: the link deleted (history row)."""
    _writable(link.response)
    link.delete()


@transaction.atomic
def delete_document(*, document: Document, user) -> None:
    """Delete DOCUMENT and its links; refused after sign-off.
    Side effects: Document and links deleted (history rows); the file removed from disk once the
    transaction commits."""
    assessment = Assessment.objects.select_for_update().get(pk=document.assessment_id)
    if rules.is_read_only(assessment.status):
        raise ValidationError(
            f"{assessment.title} is {assessment.get_status_display().lower()}: nothing can be removed."
        )
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# Improvement actions -------------------------------------------------------------------------


@transaction.atomic
def create_improvement_action(
    *,
    response: Response,
    objective: PlanItem,
    code: str,
    title: str,
    user,
    assigned_to=None,
    due_date=None,
    description: str = "",
) -> PlanItem:
    """A plan action under OBJECTIVE that addresses RESPONSE's gap, linked both ways (the action's
    page lists the question; the response shows the action's status and progress). The action
    belongs to the assessment's unit and is managed by its lead; with no ASSIGNED_TO it goes to
    whoever answers the question (or, for an unassigned question, to USER), so the person who
    creates it can always open it. Refused after sign-off and when OBJECTIVE is not an active
    objective.
    Side effects: PlanItem created through plans.services.save_item (its history row and derived
    values); the response's improvement actions updated (history row)."""
    assessment = _writable(response)
    if objective.kind != PlanItem.Kind.OBJECTIVE or not objective.active:
        raise ValidationError({"objective": "Choose an active objective to put the action under."})
    action = PlanItem(
        kind=PlanItem.Kind.ACTION,
        parent=objective,
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        expected_outcome=f"Closes the gap on {response.node.code or response.node.title} in {assessment.title}.",
        org_unit=assessment.org_unit,
        managed_by=assessment.lead or user,
        assigned_to=assigned_to or response.assigned_to or user,
        planned_start=timezone.localdate() if due_date is None or due_date >= timezone.localdate() else None,
        due_date=due_date,
    )
    plan_services.save_item(item=action)
    response.improvement_actions.add(action)
    return action


def suggested_action_code(objective: PlanItem) -> str:
    """The next free code below OBJECTIVE, as the plan tree numbers actions."""
    return plan_services.next_child_code(objective)
