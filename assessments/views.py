"""Pages of the self-assessments module. Each view loads through the access rules (outsiders get
404, read-only people 403), parses its input with a form and calls a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments import evidence as evidence_rule
from assessments import scores as scoring
from assessments import services
from assessments import status as rules
from assessments.exports import assessment_rows
from assessments.forms import (
    PAGE_SIZES,
    AssessmentEditForm,
    AssessmentFilterForm,
    AssessmentForm,
    DocumentForm,
    EvidenceLinkForm,
    FrameworkForm,
    ImprovementActionForm,
    LevelFormSet,
    ModerationForm,
    NodeForm,
    ResponseForm,
)
from assessments.library import LibraryError
from assessments.models import Assessment, Document, EvidenceLink, Framework, FrameworkNode, Response
from pmf import spreadsheets
from pmf.access import (
    can_edit,
    can_plan,
    get_editable_or_403,
    get_updatable_or_403,
    get_visible_or_404,
    require_configurer,
    require_planner,
)
from pmf.forms import add_errors, id_from
from pmf.locking import EditConflict, render_conflict

PAGE_SIZE = 50
PLANNERS_ONLY = "Only managers and the performance team start assessments."


def _assessment(request, pk):
    return get_visible_or_404(
        Assessment.objects.select_related("framework", "org_unit", "lead", "moderated_by", "signed_off_by"),
        request.user,
        pk=pk,
    )


def _response(request, pk, *, updatable=False):
    queryset = Response.objects.select_related(
        "assessment__framework", "assessment__org_unit", "assessment__lead", "node__scale", "assigned_to"
    )
    if updatable:
        return get_updatable_or_403(queryset, request.user, pk=pk)
    return get_visible_or_404(queryset, request.user, pk=pk)


def _roles(user, assessment: Assessment) -> dict:
    runs_it = can_edit(user, assessment)
    oversees = Assessment.objects.overseen_by(user).filter(pk=assessment.pk).exists()
    return {
        "runs_it": runs_it,
        "oversees": oversees,
        "steps": rules.allowed_transitions(
            assessment.status, runs_it=runs_it, oversees=oversees, is_lead=assessment.lead_id == user.pk
        ),
        "updatable_ids": set(
            Response.objects.updatable_by(user).filter(assessment=assessment).values_list("pk", flat=True)
        )
        if not assessment.is_read_only
        else set(),
    }


# Assessments ----------------------------------------------------------------------------------


@login_required
def assessment_list(request):
    form = AssessmentFilterForm(request.GET or None, user=request.user)
    answered = Q(responses__level__isnull=False) | Q(responses__not_applicable=True)
    assessments = form.filter(Assessment.objects.visible_to(request.user)).order_by("-assessed_on", "title", "pk")
    size = id_from(request.GET, "size")
    page = Paginator(assessments.values_list("pk", flat=True), size if size in PAGE_SIZES else PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    found = (
        Assessment.objects.for_listing()
        .annotate(questions=Count("responses"), answered=Count("responses", filter=answered))
        .in_bulk(list(page.object_list))
    )
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return render(
        request,
        "assessments/assessment_list.html",
        {"form": form, "page": page, "can_create": can_plan(request.user)},
    )


@login_required
def assessment_create(request):
    require_planner(request.user, PLANNERS_ONLY)
    framework_id = id_from(request.GET, "framework")
    if framework_id is None:
        frameworks = Framework.objects.offered().annotate(questions=Count("nodes", filter=Q(nodes__is_question=True)))
        return render(request, "assessments/assessment_pick.html", {"frameworks": frameworks})
    framework = get_visible_or_404(Framework.objects.filter(active=True), request.user, pk=framework_id)
    form = AssessmentForm(request.POST or None, framework=framework, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.create_assessment(
                framework=framework,
                org_unit=data["org_unit"],
                kind=data["kind"],
                title=data["title"],
                lead=data["lead"],
                assessed_on=data["assessed_on"],
                due_date=data["due_date"],
                targets=form.targets(),
                shared_with=data["shared_with"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Created {assessment.title} with {assessment.responses.count()} questions.")
            return redirect(assessment)
    return render(request, "assessments/assessment_form.html", {"form": form, "framework": framework})


@login_required
def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    scores = scoring.score_assessment(assessment)
    today = timezone.localdate()
    progress = rules.round_progress(
        ((row.response.assigned_to, row.response.is_answered, row.response.due_date) for row in scores.questions),
        today=today,
    )
    people = sorted(progress.items(), key=lambda item: (item[0] is None, str(item[0] or "")))
    context = {
        "assessment": assessment,
        "scores": scores,
        "people": people,
        "today": today,
        "shared_with": assessment.shared_with.order_by("name"),
        "is_compliance": any(overall.scale.is_compliance for overall in scores.overall),
        **_roles(request.user, assessment),
    }
    return render(request, "assessments/assessment_detail.html", context)


@login_required
def assessment_edit(request, pk):
    assessment = get_editable_or_403(Assessment.objects.select_related("framework", "org_unit"), request.user, pk=pk)
    if assessment.is_read_only:
        raise PermissionDenied(f"{assessment.title} is {assessment.get_status_display().lower()} and cannot change.")
    form = AssessmentEditForm(request.POST or None, instance=assessment, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_assessment(assessment=form.instance, shared_with=form.cleaned_data["shared_with"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(assessment)
    return render(request, "assessments/assessment_edit.html", {"form": form, "assessment": assessment})


@login_required
@require_POST
def assessment_step(request, pk):
    assessment = _assessment(request, pk)
    roles = _roles(request.user, assessment)
    if not (roles["runs_it"] or roles["oversees"]):
        raise PermissionDenied("You can read this assessment but not move it along.")
    try:
        assessment = services.take_step(assessment=assessment, name=request.POST.get("step", ""), user=request.user)
    except rules.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{assessment.title} is now {assessment.get_status_display().lower()}.")
    return redirect(assessment)


@login_required
def assessment_gaps(request, pk):
    assessment = _assessment(request, pk)
    scores = scoring.score_assessment(assessment)
    unscored = sum(1 for row in scores.questions if not row.response.is_answered)
    return render(
        request,
        "assessments/gaps.html",
        {"assessment": assessment, "scores": scores, "gaps": scores.gaps(), "unscored": unscored},
    )


@login_required
def assessment_compare(request, pk):
    assessment = _assessment(request, pk)
    others = (
        Assessment.objects.visible_to(request.user)
        .filter(framework__key=assessment.framework.key)
        .exclude(pk=assessment.pk)
        .select_related("org_unit")
        .order_by("-assessed_on", "pk")
    )
    other_id = id_from(request.GET, "with")
    if other_id is not None:
        other = get_visible_or_404(others, request.user, pk=other_id)
    else:
        earlier = [
            o for o in others if o.org_unit_id == assessment.org_unit_id and o.assessed_on <= assessment.assessed_on
        ]
        other = earlier[0] if earlier else next(iter(others), None)
    context = {"assessment": assessment, "others": others, "other": other}
    if other is not None:
        before, after = (other, assessment) if other.assessed_on <= assessment.assessed_on else (assessment, other)
        tree = scoring.framework_tree(after.framework_id)
        rows = scoring.compare(
            scoring.score_assessment(
                before,
                with_actions=False,
                tree=tree if before.framework_id == after.framework_id else None,
            ),
            scoring.score_assessment(after, with_actions=False, tree=tree),
        )
        context.update(
            {
                "before": before,
                "after": after,
                "rows": rows,
                "figure": scoring.comparison_figure(before, after, rows),
                "improved": sum(1 for row in rows if row.is_question and row.change_word == "Improved"),
                "declined": sum(1 for row in rows if row.is_question and row.change_word == "Declined"),
            }
        )
    return render(request, "assessments/compare.html", context)


def _full(request, pk):
    assessment = _assessment(request, pk)
    return assessment, scoring.score_assessment(assessment), scoring.evidence_of(assessment)


@login_required
def assessment_print(request, pk):
    assessment, scores, evidence = _full(request, pk)
    return render(
        request,
        "assessments/print.html",
        {"assessment": assessment, "scores": scores, "evidence": evidence, "printed": timezone.localdate()},
    )


@login_required
def assessment_export(request, pk):
    assessment, scores, evidence = _full(request, pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404("Choose csv or xlsx.")
    return spreadsheets.download(
        assessment_rows(scores, evidence),
        fmt=fmt,
        filename=f"assessment-{assessment.pk}-{timezone.localdate():%Y-%m-%d}",
        title="Assessment",
    )


@login_required
def assessment_statement(request, pk):
    """The compliance statement in the layout landlords publish (the Complaint Handling Code's
    annual self-assessment): each requirement, whether it is met, evidence, commentary and the
    changes planned."""
    assessment, scores, evidence = _full(request, pk)
    if not any(overall.scale.is_compliance for overall in scores.overall):
        raise Http404("Only a yes/no compliance framework has a compliance statement.")
    return render(
        request,
        "assessments/statement.html",
        {"assessment": assessment, "blocks": _blocks(scores.rows), "evidence": evidence},
    )


def _blocks(rows) -> list[dict]:
    """ROWS cut at each theme: [{"heading": theme row, "rows": the questions directly after it}]."""
    blocks = []
    for row in rows:
        if row.response is None:
            blocks.append({"heading": row, "rows": []})
        elif blocks:
            blocks[-1]["rows"].append(row)
    return blocks


@login_required
def assessment_documents(request, pk):
    assessment = _assessment(request, pk)
    may_upload = (
        not assessment.is_read_only
        and Response.objects.updatable_by(request.user).filter(assessment=assessment).exists()
    )
    form = DocumentForm(request.POST or None, request.FILES or None, **_upload_hints())
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied("You cannot add evidence to this assessment.")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document = services.add_document(
                    assessment=assessment,
                    content=upload,
                    name=upload.name,
                    title=form.cleaned_data["title"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"Uploaded {document.title}.")
                return redirect("assessment-documents", pk=assessment.pk)
    documents = assessment.documents.select_related("uploaded_by").annotate(uses=Count("links"))
    deletable = set(
        Document.objects.editable_by(request.user).filter(assessment=assessment).values_list("pk", flat=True)
    )
    return render(
        request,
        "assessments/documents.html",
        {
            "assessment": assessment,
            "documents": documents,
            "form": form,
            "may_upload": may_upload,
            "deletable": deletable if not assessment.is_read_only else set(),
        },
    )


def _upload_hints() -> dict:
    return {
        "accepted": ", ".join(f".{kind}" for kind in evidence_rule.accepted_extensions()),
        "limit": evidence_rule.size_text(evidence_rule.settings.EVIDENCE_MAX_BYTES),
    }


@login_required
def evidence_download(request, pk):
    """An evidence file, to those who may see its assessment (others get 404), as an attachment
    with the type the upload check established."""
    document = get_visible_or_404(Document.objects.all(), request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer stored.") from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name, content_type=document.content_type)


@login_required
@require_POST
def document_delete(request, pk):
    document = get_updatable_or_403(Document.objects.select_related("assessment"), request.user, pk=pk)
    try:
        services.delete_document(document=document, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Deleted {document.title}.")
    return redirect("assessment-documents", pk=document.assessment_id)


# Responses ------------------------------------------------------------------------------------


@login_required
def response_detail(request, pk):
    response = _response(request, pk)
    assessment = response.assessment
    node = response.node
    roles = _roles(request.user, assessment)
    links = list(
        response.evidence.select_related(
            "document", "indicator", "plan_item", "other_response__node", "other_response__assessment"
        )
    )
    actions = list(response.improvement_actions.select_related("assigned_to").order_by("code"))
    context = {
        "response": response,
        "assessment": assessment,
        "node": node,
        "levels": [
            {"value": level["value"], "label": level["label"], "descriptor": node.descriptor_for(level["value"])}
            for level in node.scale.levels
        ],
        "parents": [node.parent, *node.also_under.select_related("framework").order_by("lft")]
        if node.parent and not node.parent.is_root
        else list(node.also_under.order_by("lft")),
        "links": links,
        "actions": actions,
        "visible_actions": _visible_ids(request.user, "plans", "PlanItem", [action.pk for action in actions]),
        "visible_indicators": _visible_ids(request.user, "indicators", "Indicator", [e.indicator_id for e in links]),
        "visible_plan_items": _visible_ids(request.user, "plans", "PlanItem", [e.plan_item_id for e in links]),
        "may_update": response.pk in roles["updatable_ids"],
        "may_moderate": assessment.can_moderate and roles["oversees"] and assessment.lead_id != request.user.pk,
        **roles,
    }
    return render(request, "assessments/response_detail.html", context)


def _visible_ids(user, app_label: str, model_name: str, ids: list) -> set:
    from django.apps import apps

    wanted = [pk for pk in ids if pk]
    if not wanted:
        return set()
    model = apps.get_model(app_label, model_name)
    return set(model.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))


def _writable_response(request, pk) -> Response:
    response = _response(request, pk, updatable=True)
    assessment = response.assessment
    if assessment.is_read_only:
        raise PermissionDenied(f"{assessment.title} is {assessment.get_status_display().lower()}: nothing can change.")
    return response


@login_required
def response_edit(request, pk):
    response = _writable_response(request, pk)
    sets_up = can_edit(request.user, response.assessment)
    form = ResponseForm(request.POST or None, response=response, user=request.user, sets_up=sets_up)
    context = {"form": form, "response": response, "assessment": response.assessment, "node": response.node}
    if request.method == "POST" and form.is_valid():
        try:
            services.save_response(response=response, user=request.user, **form.values())
        except EditConflict as conflict:
            return render_conflict(request, "assessments/response_form.html", context, conflict, form=form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved {response.node.code or response.node.title}.")
            return redirect(response)
    return render(request, "assessments/response_form.html", context)


@login_required
def response_moderate(request, pk):
    response = _response(request, pk)
    assessment = response.assessment
    if not Assessment.objects.overseen_by(request.user).filter(pk=assessment.pk).exists():
        raise PermissionDenied("Managers of the unit and the performance team moderate.")
    if assessment.lead_id == request.user.pk or not assessment.can_moderate:
        raise PermissionDenied(
            "A second person moderates a submitted assessment; this one cannot be moderated by you now."
        )
    form = ModerationForm(request.POST or None, response=response)
    context = {"form": form, "response": response, "assessment": assessment, "node": response.node}
    if request.method == "POST" and form.is_valid():
        try:
            services.moderate_response(
                response=response,
                user=request.user,
                level=int(form.cleaned_data["level"]),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            return render_conflict(request, "assessments/moderate_form.html", context, conflict, form=form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Moderated {response.node.code}.")
            return redirect(response)
    return render(request, "assessments/moderate_form.html", context)


@login_required
def response_evidence(request, pk):
    response = _writable_response(request, pk)
    assessment = response.assessment
    kind = request.POST.get("kind", "")
    upload_form = DocumentForm(
        request.POST if kind == "upload" else None, request.FILES if kind == "upload" else None, **_upload_hints()
    )
    link_form = EvidenceLinkForm(
        request.POST if request.method == "POST" and kind != "upload" else None, response=response, user=request.user
    )
    if request.method == "POST":
        if kind == "upload" and upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            try:
                document = services.add_document(
                    assessment=assessment,
                    content=upload,
                    name=upload.name,
                    title=upload_form.cleaned_data["title"],
                    user=request.user,
                    responses=[response],
                )
            except ValidationError as exc:
                add_errors(upload_form, exc)
            else:
                messages.success(request, f"Uploaded {document.title} as evidence for {response.node.code}.")
                return redirect(response)
        elif kind != "upload" and link_form.is_valid():
            try:
                services.link_evidence(response=response, user=request.user, **link_form.values())
            except ValidationError as exc:
                add_errors(link_form, exc)
            else:
                messages.success(request, f"Linked the evidence to {response.node.code}.")
                return redirect(response)
    return render(
        request,
        "assessments/evidence_form.html",
        {
            "response": response,
            "assessment": assessment,
            "node": response.node,
            "upload_form": upload_form,
            "link_form": link_form,
            "kind": kind,
            "has_documents": assessment.documents.exists(),
        },
    )


@login_required
@require_POST
def evidence_remove(request, pk):
    link = get_updatable_or_403(EvidenceLink.objects.select_related("response__assessment"), request.user, pk=pk)
    try:
        services.remove_evidence(link=link, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Removed the evidence link.")
    return redirect(link.response)


@login_required
def response_action(request, pk):
    response = _writable_response(request, pk)
    form = ImprovementActionForm(request.POST or None, user=request.user)
    if not form.is_bound:
        form.initial.setdefault("title", f"Close the gap on {response.node.code}: {response.node.title}"[:300])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.create_improvement_action(
                response=response,
                objective=data["objective"],
                code=data["code"] or services.suggested_action_code(data["objective"]),
                title=data["title"],
                user=request.user,
                assigned_to=data["assigned_to"],
                due_date=data["due_date"],
                description=data["description"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Created improvement action {action.code} under {data['objective'].code}.")
            return redirect(response)
    return render(
        request,
        "assessments/action_form.html",
        {"form": form, "response": response, "assessment": response.assessment, "node": response.node},
    )


# Frameworks -----------------------------------------------------------------------------------


@login_required
def framework_list(request):
    frameworks = Framework.objects.visible_to(request.user).annotate(
        questions=Count("nodes", filter=Q(nodes__is_question=True), distinct=True),
        unverified=Count("nodes", filter=Q(nodes__verified=False), distinct=True),
        used=Count("assessments", distinct=True),
    )
    return render(
        request,
        "assessments/framework_list.html",
        {"frameworks": frameworks.order_by("name", "-version"), "can_configure": request.user.can_configure},
    )


@login_required
def framework_detail(request, pk):
    framework = get_visible_or_404(Framework.objects.all(), request.user, pk=pk)
    nodes = list(
        FrameworkNode.objects.filter(framework=framework).exclude(parent=None).select_related("scale").order_by("lft")
    )
    through = FrameworkNode.also_under.through
    by_id = {node.pk: node for node in nodes}
    cross: dict[int, list] = {}
    for child, parent in through.objects.filter(from_frameworknode__framework=framework).values_list(
        "from_frameworknode_id", "to_frameworknode_id"
    ):
        cross.setdefault(child, []).append(by_id[parent])
    rows = [{"node": node, "also_under": cross.get(node.pk, [])} for node in nodes]
    return render(
        request,
        "assessments/framework_detail.html",
        {
            "framework": framework,
            "rows": rows,
            "scales": framework.scales.all(),
            "unverified": sum(1 for node in nodes if node.verified is False),
            "assessments": Assessment.objects.visible_to(request.user)
            .filter(framework=framework)
            .for_listing()
            .order_by("-assessed_on")[:PAGE_SIZE],
            "editable": request.user.can_configure and services.framework_is_editable(framework),
            "can_plan": can_plan(request.user) and framework.active,
            "versions": Framework.objects.filter(key=framework.key).order_by("-version"),
        },
    )


@login_required
def framework_create(request):
    require_configurer(request.user)
    form = FrameworkForm(request.POST or None)
    levels = LevelFormSet(request.POST or None, prefix="levels")
    if request.method == "POST" and form.is_valid() and levels.is_valid():
        data = form.cleaned_data
        try:
            framework = services.create_local_framework(
                key=data["key"],
                name=data["name"],
                publisher=data["publisher"],
                description=data["description"],
                scale_name=data["scale_name"],
                compliance=data["compliance"],
                levels=[
                    {"value": row["value"], "label": row["label"], "descriptor": row.get("descriptor", "")}
                    for row in levels.cleaned_data
                    if row and not row.get("DELETE")
                ],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Created {framework}. Add its themes and questions below.")
            return redirect(framework)
    return render(request, "assessments/framework_form.html", {"form": form, "levels": levels})


@login_required
@require_POST
def framework_load(request):
    require_configurer(request.user)
    try:
        results = services.load_shipped_libraries(user=request.user)
    except LibraryError as exc:
        messages.error(request, f"Nothing was loaded: {exc}")
    else:
        for framework, created in results:
            if created:
                messages.success(request, f"Loaded {framework}.")
            else:
                messages.info(request, f"{framework} is up to date.")
    return redirect("framework-list")


@login_required
def node_detail(request, pk):
    node = get_visible_or_404(FrameworkNode.objects.select_related("framework", "scale", "parent"), request.user, pk=pk)
    if node.is_root:
        return redirect(node.framework)
    return render(
        request,
        "assessments/node_detail.html",
        {
            "node": node,
            "framework": node.framework,
            "ancestors": list(node.get_ancestors().exclude(parent=None)),
            "also_under": list(node.also_under.order_by("lft")),
            "children": list(node.get_children().order_by("lft")),
            "cross_children": list(node.cross_children.order_by("lft")),
            "levels": [
                {"value": level["value"], "label": level["label"], "descriptor": node.descriptor_for(level["value"])}
                for level in node.scale.levels
            ],
            "editable": request.user.can_configure and services.framework_is_editable(node.framework),
        },
    )


def _node_form(request, framework, node=None):
    form = NodeForm(request.POST or None, instance=node, framework=framework)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_node(node=form.instance, also_under=list(form.cleaned_data["also_under"]))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved {saved}.")
            return redirect(framework)
    return render(request, "assessments/node_form.html", {"form": form, "framework": framework, "node": node})


@login_required
def node_create(request, pk):
    require_configurer(request.user)
    framework = get_visible_or_404(Framework.objects.all(), request.user, pk=pk)
    if not services.framework_is_editable(framework):
        raise PermissionDenied("This framework cannot change (a library, or a local framework already in use).")
    return _node_form(request, framework)


@login_required
def node_edit(request, pk):
    require_configurer(request.user)
    node = get_visible_or_404(FrameworkNode.objects.select_related("framework", "scale"), request.user, pk=pk)
    if node.is_root or not services.framework_is_editable(node.framework):
        raise PermissionDenied("This node cannot change (a library, or a local framework already in use).")
    return _node_form(request, node.framework, node)
