"""Report Central: the definitions a person may see, their runs and the reports themselves."""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from pmf import periods
from pmf.access import can_add_structure, can_edit, get_editable_or_403, get_visible_or_404, require_planner
from pmf.forms import add_errors
from pmf.models import OrgUnit
from pmf.registry import REPORT_SECTIONS
from reports import params as contract
from reports import services
from reports.forms import EXCEPTION_FIELDS, DefinitionForm, RunForm
from reports.models import ReportDefinition, ReportRun

PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 25
# What a run page and its status fragment need of the run (the files' names, not their content).
RUN_FIELDS = ("definition", "requested_by")


def scope_labels(pairs) -> dict[tuple[str, int | None], str]:
    """(scope, scope_id) -> the scope's name, for every pair of PAIRS: one query per kind."""
    from assessments.models import Assessment
    from plans.models import PlanItem
    from risks.models import RiskCategory
    from scorecards.models import Scorecard, Snapshot

    models = {
        "unit": (OrgUnit, "name"),
        "scorecard": (Scorecard, "title"),
        "snapshot": (Snapshot, "name"),
        "plan": (PlanItem, "title"),
        "risk-category": (RiskCategory, "name"),
        "assessment": (Assessment, "title"),
    }
    wanted = defaultdict(set)
    for kind, pk in pairs:
        if pk is not None and kind in models:
            wanted[kind].add(pk)
    labels = {}
    for kind, ids in wanted.items():
        model, field = models[kind]
        for pk, name in model.objects.filter(pk__in=ids).values_list("pk", field):
            labels[(kind, pk)] = name
    found = {}
    for kind, pk in pairs:
        if pk is None:
            found[(kind, pk)] = "Whole organisation"
        else:
            name = labels.get((kind, pk), "(no longer exists)")
            found[(kind, pk)] = f"{contract.SCOPES.get(kind, kind)}: {name}"
    return found


def parameters_shown(parameters: dict) -> list[tuple[str, str]]:
    """The parameters of a run as a reader sees them (label, value)."""
    labels = {section.key: section.label for section in REPORT_SECTIONS}
    scope = (parameters.get("scope", "unit"), parameters.get("scope_id"))
    exceptions = {**contract.DEFAULT_EXCEPTION_SETTINGS, **parameters.get("exceptions", {})}
    rules = []
    for key, (label, kind, _) in EXCEPTION_FIELDS.items():
        value = exceptions.get(key)
        if kind is bool:
            rules.append(f"{label}: {'on' if value else 'off'}")
        else:
            rules.append(f"{label}: {value if value else 'off'}")
    return [
        ("Kind", contract.KINDS.get(parameters.get("kind"), parameters.get("kind", ""))),
        ("Title", parameters.get("title", "")),
        ("Period", periods.month_label(datetime.date.fromisoformat(parameters["period"]))),
        ("About", scope_labels([scope])[scope]),
        ("Audience", parameters.get("audience") or "Not given"),
        ("Protective marking", parameters.get("marking") or "None"),
        ("Sections", ", ".join(labels.get(key, key) for key in parameters.get("sections", ())) or "None"),
        ("Charts", "Yes" if parameters.get("charts") else "No"),
        ("Owners' commentary", "Yes" if parameters.get("commentary") else "No"),
        ("Compared with last year", "Yes" if parameters.get("last_year") else "No"),
        ("Exception rules", "; ".join(rules)),
    ]


@login_required
def report_central(request):
    """The definitions the person may see, each with its latest run they may see."""
    user = request.user
    runs = ReportRun.objects.visible_to(user).filter(definition=OuterRef("pk")).order_by("-created_at", "-pk")
    definitions = (
        ReportDefinition.objects.visible_to(user)
        .active()
        .select_related("org_unit")
        .annotate(
            last_run_id=Subquery(runs.values("pk")[:1]),
            last_run_status=Subquery(runs.values("status")[:1]),
            last_run_period=Subquery(runs.values("period")[:1]),
            last_run_created=Subquery(runs.values("created_at")[:1]),
        )
        .order_by("name", "pk")
    )
    page = Paginator(definitions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    labels = scope_labels([(row.scope, row.scope_id) for row in rows])
    statuses = dict(ReportRun.Status.choices)
    for row in rows:
        row.scope_label = labels[(row.scope, row.scope_id)]
        row.last_run_status_label = statuses.get(row.last_run_status, "")
    context = {"page": page, "rows": rows, "can_create": can_add_structure(user), "kinds": contract.KINDS}
    return render(request, "reports/central.html", context)


def _definition_form(request, definition):
    initial = {}
    if request.method == "GET" and request.GET.get("kind") in contract.KINDS:
        initial["kind"] = request.GET["kind"]
    return DefinitionForm(
        request.POST or None, instance=definition or ReportDefinition(), user=request.user, initial=initial
    )


def _save_definition(request, form, definition):
    try:
        saved = services.save_definition(
            definition=form.save(commit=False), user=request.user, recipients=form.cleaned_data["recipients"]
        )
    except ValidationError as exc:
        add_errors(form, exc, {"scope_id": "scope_choice", "scope": "scope_choice", "sections": "section_keys"})
        return None
    messages.success(request, f"{'Saved changes to' if definition else 'Created'} the report “{saved.name}”.")
    return redirect(saved)


@login_required
def definition_create(request):
    require_planner(request.user, "Only managers and the performance team define reports.")
    if not can_add_structure(request.user):
        raise PermissionDenied("You manage no organisation unit to own a report.")
    form = _definition_form(request, None)
    if request.method == "POST" and form.is_valid():
        if response := _save_definition(request, form, None):
            return response
    return render(request, "reports/definition_form.html", {"form": form, "definition": None})


@login_required
def definition_edit(request, pk):
    definition = get_editable_or_403(ReportDefinition.objects.all(), request.user, pk=pk)
    form = _definition_form(request, definition)
    if request.method == "POST" and form.is_valid():
        if response := _save_definition(request, form, definition):
            return response
    return render(request, "reports/definition_form.html", {"form": form, "definition": definition})


def _definition_context(request, definition, run_form=None, run_error=""):
    user = request.user
    today = timezone.localdate()
    runs = (
        ReportRun.objects.visible_to(user)
        .filter(definition=definition)
        .select_related("requested_by")
        .defer("parameters")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(runs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    params = definition.to_parameters(services.latest_issued_month(definition, today))
    if not run_error:
        try:
            services.check_scope(params, user)
        except PermissionDenied as exc:
            run_error = str(exc)
    scope = (definition.scope, definition.scope_id)
    return {
        "definition": definition,
        "scope_label": scope_labels([scope])[scope],
        "parameters": parameters_shown(params.as_dict())[4:],
        "page": page,
        "runs": list(page.object_list),
        "run_form": run_form or RunForm(initial={"period": params.period}),
        "run_error": run_error,
        "can_edit": can_edit(user, definition),
        "recipients": list(definition.recipients.order_by("name")),
    }


@login_required
def definition_detail(request, pk):
    """A definition, the form to run it now and its history of runs."""
    definition = get_visible_or_404(
        ReportDefinition.objects.select_related("org_unit", "created_by"), request.user, pk=pk
    )
    return render(request, "reports/definition.html", _definition_context(request, definition))


@require_POST
@login_required
def run_create(request, pk):
    """Run a definition now for the month chosen; refused (403, with the reason) when the person
    may not see what it reports on."""
    definition = get_visible_or_404(ReportDefinition.objects.select_related("org_unit"), request.user, pk=pk)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.start_run(definition=definition, period=form.cleaned_data["period"], user=request.user)
        except PermissionDenied as exc:
            context = _definition_context(request, definition, run_form=form, run_error=str(exc))
            return render(request, "reports/definition.html", context, status=403)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(run)
    return render(request, "reports/definition.html", _definition_context(request, definition, run_form=form))


def _run_for(request, pk) -> ReportRun:
    return get_visible_or_404(ReportRun.objects.select_related(*RUN_FIELDS), request.user, pk=pk)


def _run_context(run: ReportRun) -> dict:
    return {"run": run, "definition": run.definition, "period_label": periods.month_label(run.period)}


@login_required
def run_detail(request, pk):
    run = _run_for(request, pk)
    context = {**_run_context(run), "parameters": parameters_shown(run.parameters)}
    return render(request, "reports/run.html", context)


@login_required
def run_status(request, pk):
    """The part of the run page that htmx reloads until the run has finished."""
    run = _run_for(request, pk)
    return render(request, "reports/run.html#status", _run_context(run))


def _download(run: ReportRun, field, content_type: str):
    if run.status != ReportRun.Status.DONE or not field:
        raise Http404("This report has no file yet.")
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1], content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def run_pdf(request, pk):
    run = _run_for(request, pk)
    return _download(run, run.pdf, "application/pdf")


@login_required
def run_docx(request, pk):
    run = _run_for(request, pk)
    return _download(run, run.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@login_required
def run_web(request, pk):
    """The report as an accessible web page: the fragment kept when the run was made."""
    run = _run_for(request, pk)
    if run.status != ReportRun.Status.DONE or not run.html:
        raise Http404("This report has no web version yet.")
    with run.html.open("rb") as stored:
        fragment = stored.read().decode()
    context = {**_run_context(run), "report_html": mark_safe(fragment)}  # made by reports.render.web, escaped there
    response = render(request, "reports/web.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
