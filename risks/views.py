from itertools import batched

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from plans.models import PlanItem
from pmf.access import (
    can_add_structure,
    can_edit,
    can_plan,
    get_editable_or_403,
    get_updatable_or_403,
    get_visible_or_404,
    require_configurer,
    require_planner,
)
from pmf.forms import add_errors
from pmf.locking import EditConflict, render_conflict
from pmf.spreadsheets import FileFormatError, stream
from risks import charts, heatmap, imports, services
from risks import status as rules
from risks.forms import (
    PAGE_SIZE,
    AcceptanceForm,
    CategoryFormSet,
    ControlForm,
    ImportForm,
    MatrixForm,
    MatrixSizeForm,
    MitigatingActionForm,
    ReviewForm,
    RiskFilterForm,
    RiskForm,
)
from risks.matrix import load_matrix, resized, save_matrix
from risks.models import Control, Risk, RiskCategory
from risks.rows import rows_for

EXPORT_LIMIT = 20_000
EXPORT_CHUNK = 500
REVIEWS_SHOWN = 100


def _filtered(request, matrix, *, with_cell: bool = True):
    """The filter form and the risks it selects among those the user may see."""
    today = timezone.localdate()
    form = RiskFilterForm(request.GET, user=request.user, matrix=matrix)
    risks = Risk.objects.visible_to(request.user)
    if form.is_valid():
        return form, form.filter(risks, today=today, with_cell=with_cell)
    return form, risks.none()


@login_required
def risk_register(request):
    """The register: filters, a sort from a whitelist, pages of 50, CSV/Excel download."""
    matrix = load_matrix()
    today = timezone.localdate()
    form, risks = _filtered(request, matrix)
    ordering = form.ordering() if form.is_valid() else ("-current_score", "code")
    risks = risks.for_listing().order_by(*ordering)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        chosen = risks.select_related("parent").prefetch_related("objectives", "actions", "indicators")[:EXPORT_LIMIT]

        def register_rows():
            # A chunk of risks at a time (with its links and indicators): memory stays constant and
            # the queries grow with chunks, not with risks.
            for chunk in batched(chosen.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
                yield from rows_for(list(chunk), matrix, today=today)

        return stream(
            imports.export_rows(register_rows()),
            fmt=export,
            filename=f"risk-register-{today.isoformat()}",
            title="Risk register",
        )
    page = Paginator(risks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": rows_for(list(page.object_list), matrix, today=today, user=request.user),
        "matrix": matrix,
        "cell": form.cell if form.is_valid() else None,
        "overdue_count": Risk.objects.visible_to(request.user).active().review_overdue(today).count(),
        "can_create": can_add_structure(request.user),
    }
    return render(request, "risks/register.html", context)


@login_required
def risk_heatmap(request):
    """Counts of risks per cell of the matrix (one aggregate query) for the inherent, current or
    target position, with the register's filters; each count drills into the register."""
    matrix = load_matrix()
    position = request.GET.get("position")
    position = position if position in rules.POSITIONS else "current"
    form, risks = _filtered(request, matrix, with_cell=False)
    counts = heatmap.cell_counts(risks, position)
    # Each count leads to the register with the same filters, narrowed to the cell.
    base = request.GET.copy()
    for name in ("page", "position", "likelihood", "impact", "export"):
        base.pop(name, None)
    register = reverse("risk-register")

    def cell_url(likelihood: int, impact: int) -> str:
        query = base.copy()
        query.update({"position": position, "likelihood": likelihood, "impact": impact})
        return f"{register}?{query.urlencode()}"

    context = {
        "form": form,
        "position": position,
        "positions": [(name, rules.POSITION_LABELS[name]) for name in rules.POSITIONS],
        "grid": heatmap.grid(matrix, counts, cell_url),
        "matrix": matrix,
        "total": sum(counts.values()),
        "off_matrix": sum(n for cell, n in counts.items() if cell not in matrix.cells),
        "query": base.urlencode(),
    }
    return render(request, "risks/heatmap.html", context)


@login_required
def risk_detail(request, pk):
    user = request.user
    risk = get_visible_or_404(Risk.objects.select_related("category", "org_unit", "owner", "parent"), user, pk=pk)
    matrix = load_matrix()
    today = timezone.localdate()
    row = rows_for([risk], matrix, today=today, user=user)[0]
    linked_items = list(risk.actions.select_related("parent", "assigned_to").order_by("tree_id", "lft")) + list(
        risk.objectives.order_by("tree_id", "lft")
    )
    visible_items = set(
        PlanItem.objects.visible_to(user).filter(pk__in=[i.pk for i in linked_items]).values_list("pk", flat=True)
    )
    reviews = list(risk.reviews.select_related("reviewer").order_by("-reviewed_on", "-pk")[:REVIEWS_SHOWN])
    can_change = can_edit(user, risk)
    context = {
        "risk": risk,
        "row": row,
        "matrix": matrix,
        "levels": {"likelihood": matrix.likelihood, "impact": matrix.impact},
        "chain": list(risk.get_ancestors().visible_to(user)),
        "escalated": list(risk.get_children().visible_to(user).select_related("owner").order_by("code")),
        "controls": list(risk.controls.select_related("owner")),
        "actions": [i for i in linked_items if i.kind == PlanItem.Kind.ACTION],
        "objectives": [i for i in linked_items if i.kind != PlanItem.Kind.ACTION],
        "visible_items": visible_items,
        "reviews": reviews,
        "chart": charts.score_history_figure(
            list(reversed(reviews)),
            target_score=risk.score_of("target"),
            appetite=risk.category.appetite,
            highest_score=rules.score(matrix.likelihood_levels, matrix.impact_levels),
        ),
        "acceptances": list(risk.acceptances.select_related("accepted_by")[:10]),
        "can_edit": can_change,
        "can_accept": can_change and can_plan(user) and row.appetite != rules.WITHIN,
        "can_add_action": can_change and can_plan(user),
    }
    return render(request, "risks/detail.html", context)


def _save(request, form, risk, template, context):
    """Run the save service for a valid risk form; the response, or None to show the form again."""
    data = form.cleaned_data
    try:
        services.save_risk(
            risk=form.instance,
            expected_version=data.get("version"),
            objectives=data["objective_codes"],
            actions=data["action_codes"],
            indicators=data["indicator_codes"],
        )
    except EditConflict as conflict:
        return render_conflict(request, template, context, conflict, form=form)
    except ValidationError as exc:
        add_errors(form, exc, {"parent": "parent_code"})
        return None
    messages.success(request, f"{'Saved changes to' if risk else 'Created'} {form.instance.code}.")
    return redirect(form.instance)


@login_required
def risk_create(request):
    require_planner(request.user, "Only managers and the performance team add risks to the register.")
    if not can_add_structure(request.user):
        raise PermissionDenied("You manage no organisation unit to add risks to.")
    matrix = load_matrix()
    form = RiskForm(request.POST or None, user=request.user, matrix=matrix)
    context = {"form": form, "risk": None, "matrix": matrix}
    if request.method == "POST" and form.is_valid():
        if response := _save(request, form, None, "risks/form.html", context):
            return response
    return render(request, "risks/form.html", context)


@login_required
def risk_edit(request, pk):
    risk = get_editable_or_403(Risk.objects.select_related("parent"), request.user, pk=pk)
    matrix = load_matrix()
    form = RiskForm(request.POST or None, instance=risk, user=request.user, matrix=matrix)
    context = {"form": form, "risk": risk, "matrix": matrix}
    if request.method == "POST" and form.is_valid():
        if response := _save(request, form, risk, "risks/form.html", context):
            return response
    return render(request, "risks/form.html", context)


@login_required
def risk_review(request, pk):
    """Record a dated re-score; a second person re-scoring from the same version is told (409)."""
    risk = get_updatable_or_403(Risk.objects.select_related("category"), request.user, pk=pk)
    matrix = load_matrix()
    form = ReviewForm(request.POST or None, risk=risk, matrix=matrix)
    context = {"form": form, "risk": risk, "matrix": matrix}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.record_review(
                risk=risk,
                reviewer=request.user,
                reviewed_on=data["reviewed_on"],
                likelihood=data["likelihood"],
                impact=data["impact"],
                note=data["note"],
                expected_version=data["version"],
            )
        except EditConflict as conflict:
            return render_conflict(request, "risks/review_form.html", context, conflict, form=form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            movement = rules.MOVEMENT_LABELS[review.movement].lower()
            messages.success(
                request,
                f"Review of {risk.code} recorded: score {review.score} ({review.band_name}), {movement}. "
                f"Next review due {risk.next_review_date:%d %b %Y}.",
            )
            return redirect(risk)
    return render(request, "risks/review_form.html", context)


@login_required
def risk_accept(request, pk):
    """A manager or admin tolerates a risk above appetite until a date, with a reason."""
    require_planner(request.user, "Only managers and the performance team accept risks above appetite.")
    risk = get_editable_or_403(Risk.objects.select_related("category"), request.user, pk=pk)
    form = AcceptanceForm(request.POST or None, initial={"version": risk.version})
    context = {"form": form, "risk": risk, "score": risk.score_of("current")}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.accept_risk(
                risk=risk,
                user=request.user,
                reason=data["reason"],
                until=data["until"],
                expected_version=data["version"],
            )
        except EditConflict as conflict:
            return render_conflict(request, "risks/accept_form.html", context, conflict, form=form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{risk.code} accepted above appetite until {data['until']:%d %b %Y}.")
            return redirect(risk)
    return render(request, "risks/accept_form.html", context)


@login_required
def control_create(request, pk):
    risk = get_editable_or_403(Risk.objects.all(), request.user, pk=pk)
    form = ControlForm(request.POST or None, user=request.user, instance=Control(risk=risk))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_control(control=form.instance)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Control added to {risk.code}.")
            return redirect(risk)
    return render(request, "risks/control_form.html", {"form": form, "risk": risk, "control": None})


@login_required
def control_edit(request, pk):
    control = get_editable_or_403(Control.objects.select_related("risk"), request.user, pk=pk)
    form = ControlForm(request.POST or None, user=request.user, instance=control)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_control(control=form.instance)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Control of {control.risk.code} saved.")
            return redirect(control.risk)
    return render(request, "risks/control_form.html", {"form": form, "risk": control.risk, "control": control})


@login_required
@require_POST
def control_delete(request, pk):
    control = get_editable_or_403(Control.objects.select_related("risk"), request.user, pk=pk)
    risk = control.risk
    services.delete_control(control=control)
    messages.success(request, f"Control removed from {risk.code}.")
    return redirect(risk)


@login_required
def risk_action_create(request, pk):
    """A new plan action that mitigates the risk, under an objective the person may add to."""
    require_planner(request.user, "Only managers and the performance team add actions to plans.")
    risk = get_editable_or_403(Risk.objects.select_related("owner", "org_unit"), request.user, pk=pk)
    form = MitigatingActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.create_mitigating_action(
                risk=risk,
                objective=data["objective"],
                code=data["code"],
                title=data["title"],
                due_date=data["due_date"],
                assigned_to=data["assigned_to"],
            )
        except ValidationError as exc:
            add_errors(form, exc, {"parent": "objective", "kind": "objective"})
        else:
            messages.success(request, f"Created action {action.code}, mitigating {risk.code}.")
            return redirect(risk)
    return render(request, "risks/action_form.html", {"form": form, "risk": risk})


@login_required
def risk_import(request):
    """Upload a register: "Check" reports every bad row and column, "Import" writes all or nothing."""
    require_planner(request.user, "Only managers and the performance team import risks.")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.import_risks(
                upload=upload, file_name=upload.name, user=request.user, commit="commit" in request.POST
            )
        except FileFormatError as exc:
            file_error = str(exc)
        else:
            if result.committed:
                messages.success(request, f"Imported {result.created} new and {result.changed} changed risks.")
                return redirect("risk-register")
    context = {
        "form": form,
        "result": result,
        "file_error": file_error,
        "columns": imports.COLUMNS,
        "required": sorted(imports.REQUIRED, key=imports.COLUMNS.index),
    }
    return render(request, "risks/import.html", context)


@login_required
def risk_matrix(request):
    """The performance team sets the scales, the bands and the band of every cell."""
    require_configurer(request.user)
    matrix = load_matrix()
    size_form = MatrixSizeForm(
        request.POST if "resize" in request.POST else None,
        initial={"likelihood_levels": matrix.likelihood_levels, "impact_levels": matrix.impact_levels},
    )
    form = MatrixForm(request.POST if "save" in request.POST else None, matrix=matrix)
    if request.method == "POST":
        try:
            if "resize" in request.POST and size_form.is_valid():
                save_matrix(matrix=resized(matrix, **size_form.cleaned_data))
                messages.success(request, "Resized the matrix; describe any new levels and check the new cells.")
                return redirect("risk-matrix")
            if "save" in request.POST and form.is_valid():
                save_matrix(matrix=form.to_matrix())
                messages.success(request, "Saved the matrix. Every risk is banded by it from now on.")
                return redirect("risk-matrix")
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                target = size_form if name in size_form.fields or "resize" in request.POST else form
                target.add_error(name if name in target.fields else None, errors)
    context = {"form": form, "size_form": size_form, "matrix": matrix}
    return render(request, "risks/matrix.html", context)


@login_required
def risk_appetite(request):
    """The performance team keeps the list of categories and the appetite of each."""
    require_configurer(request.user)
    matrix = load_matrix()
    formset = CategoryFormSet(
        request.POST or None,
        queryset=RiskCategory.objects.order_by("order", "name"),
        form_kwargs={"max_score": rules.score(matrix.likelihood_levels, matrix.impact_levels)},
    )
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, "Saved the categories and their appetite. Risks are flagged against it from now on.")
        return redirect("risk-appetite")
    return render(request, "risks/appetite.html", {"formset": formset})
