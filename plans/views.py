import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, DateField, F, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cycle import jobs
from cycle.calendar import Calendars
from plans import imports, services
from plans import status as rules
from plans.forms import (
    ImportForm,
    MilestoneForm,
    MoveForm,
    PlanItemForm,
    PlanSettingsForm,
    ProgressForm,
    TreeFilterForm,
)
from plans.models import Milestone, PlanItem, PlanSettings, ProgressUpdate
from pmf.access import (
    can_edit,
    can_plan,
    can_update,
    get_editable_or_403,
    get_updatable_or_403,
    get_visible_or_404,
    require_configurer,
    require_planner,
)
from pmf.forms import add_errors, ids_from
from pmf.locking import EditConflict, render_conflict
from pmf.registry import LINKED_PANELS
from pmf.spreadsheets import stream

PAGE_SIZE = 50
UPDATES_PAGE_SIZE = 20
PLANNERS_ONLY = "Only managers and the performance team create and change plan items."


def _tree_rows(user):
    """The items USER may see, each with what its tree row shows: how many overdue items below it
    USER may see, and the date of its last progress update (its creation date before the first one,
    as the monthly cycle counts it when it chases stale actions)."""
    overdue_below = (
        PlanItem.objects.visible_to(user)
        .filter(
            tree_id=OuterRef("tree_id"),
            lft__gt=OuterRef("lft"),
            rght__lt=OuterRef("rght"),
            active=True,
            status=rules.OVERDUE,
        )
        .order_by()
        .values("tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_update = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-date").values("date")[:1]
    return (
        PlanItem.objects.visible_to(user)
        .select_related("org_unit", "assigned_to")
        .annotate(
            overdue_below=Coalesce(Subquery(overdue_below), 0),
            last_update=Coalesce(Subquery(last_update), TruncDate("created_at"), output_field=DateField()),
        )
    )


def _level(user, parent: PlanItem | None):
    return _tree_rows(user).level(parent)


def _mark_stale(nodes, today: datetime.date) -> None:
    """Give each node `stale_since`: for an open action with no progress update for its reporting
    calendar's `action_stale_days` (the rule the monthly cycle chases by), the date of its last
    update (or creation); None otherwise. Reads the calendars only when there is such an action."""
    calendars = None
    for node in nodes:
        node.stale_since = None
        if node.kind != PlanItem.Kind.ACTION or node.status in (rules.COMPLETED, rules.CANCELLED):
            continue
        if calendars is None:
            calendars = Calendars.load()
        days = calendars.for_unit(node.org_unit).action_stale_days
        if node.last_update < today - datetime.timedelta(days=days):
            node.stale_since = node.last_update


def _open_first_level(user, nodes, today: datetime.date) -> None:
    """Load the first page of the items below each branch among NODES (two queries whatever the
    number of branches), so the tree opens with its first levels expanded: `node.opened` holds them,
    `node.opened_page` the page for "Show more", and `node.hidden_below` how many active items below
    the node USER may not see (explained when none is shown)."""
    branches = [node for node in nodes if not node.is_leaf_node()]
    for node in nodes:
        node.opened = None
    if not branches:
        return
    numbered = (
        _tree_rows(user)
        .filter(active=True, parent__in=branches)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("parent_id")], order_by=[F("lft").asc()]),
            siblings=Window(Count("pk"), partition_by=[F("parent_id")]),
        )
        .filter(position__lte=PAGE_SIZE)
        .order_by("tree_id", "lft")
    )
    below: dict[int, list[PlanItem]] = {node.pk: [] for node in branches}
    for child in numbered:
        below[child.parent_id].append(child)
    children = [child for found in below.values() for child in found]
    _mark_stale(children, today)
    for child in children:
        child.opened = None
    empty = [node.pk for node in branches if not below[node.pk]]
    active_below = dict(
        PlanItem.objects.filter(active=True, parent_id__in=empty)
        .order_by()
        .values("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
        if empty
        else []
    )
    for node in branches:
        found = below[node.pk]
        node.opened = found
        node.opened_page = Paginator(range(found[0].siblings if found else 0), PAGE_SIZE).get_page(1)
        node.hidden_below = active_below.get(node.pk, 0)


def _hidden_below(parent: PlanItem | None, nodes) -> int:
    """How many active items directly below PARENT the reader may not see, when NODES (what they
    may see there) is empty; 0 otherwise."""
    if parent is None or nodes:
        return 0
    return PlanItem.objects.filter(active=True, parent=parent).count()


def _filtered(form: TreeFilterForm, user, root: PlanItem | None):
    """The flat list of items matching the filters, below ROOT when exploring from a node."""
    return (
        PlanItem.objects.visible_to(user)
        .select_related("org_unit", "assigned_to", "parent")
        .matching(today=timezone.localdate(), root=root, **form.filters)
    )


def _root_from(request, form) -> PlanItem | None:
    root_id = form.cleaned_data.get("root") if form.is_valid() else None
    if not root_id:
        return None
    return get_visible_or_404(PlanItem.objects.all(), request.user, pk=root_id)


@login_required
def plan_tree(request):
    """The plan tree (Action Central): one level at a time, lazily expanded; filters give a flat list."""
    form = TreeFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        root = None
    else:
        root = _root_from(request, form)
    filtering = form.filtering
    if filtering:
        page = Paginator(_filtered(form, request.user, root), PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        page = Paginator(_level(request.user, root), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    if not filtering:
        _mark_stale(page.object_list, today)
        _open_first_level(request.user, page.object_list, today)
    if request.GET.get("fragment") and not filtering:
        return render(request, "plans/tree.html#nodes", {"nodes": page.object_list, "page": page, "parent": None})
    context = {
        "form": form,
        "root": root,
        "parent": root,
        "chain": PlanItem.objects.chain(root, request.user) if root else [],
        "filtering": filtering,
        "page": page,
        "nodes": page.object_list,
        "hidden_below": 0 if filtering else _hidden_below(root, page.object_list),
        # Below a root, only someone who may edit that root may add to it.
        "can_create": can_plan(request.user) and (root is None or can_edit(request.user, root)),
        "can_import": can_plan(request.user),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "plans/tree.html", context)


@login_required
def plan_tree_children(request, pk):
    """The children of one node, a page at a time (swapped into the tree by htmx)."""
    parent = get_visible_or_404(PlanItem.objects.all(), request.user, pk=pk)
    page = Paginator(_level(request.user, parent), PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_stale(page.object_list, timezone.localdate())
    context = {
        "nodes": page.object_list,
        "page": page,
        "parent": parent,
        "hidden_below": _hidden_below(parent, page.object_list),
    }
    return render(request, "plans/tree.html#nodes", context)


@login_required
def plan_export(request):
    """The current view of the tree (filters, or the level below the explored node) as CSV or Excel."""
    form = TreeFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        raise Http404("Those filters are not valid.")
    root = _root_from(request, form)
    if form.filtering:
        items = _filtered(form, request.user, root)
    else:
        items = PlanItem.objects.visible_to(request.user).active().order_by("tree_id", "lft")
        if root is not None:
            items = items.under(root)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    stamp = timezone.localdate().isoformat()
    return stream(imports.export_rows(items), fmt=fmt, filename=f"plan-items-{stamp}", title="Plan items")


@login_required
def planitem_detail(request, pk):
    item = get_visible_or_404(
        PlanItem.objects.select_related("org_unit", "managed_by", "assigned_to", "parent"), request.user, pk=pk
    )
    user = request.user
    children = PlanItem.objects.visible_to(user).select_related("org_unit", "assigned_to").level(item)
    updates = item.updates.select_related("author").order_by("-date", "-pk")
    updates_page = Paginator(updates, UPDATES_PAGE_SIZE).get_page(request.GET.get("updates_page"))
    context = {
        "item": item,
        "chain": PlanItem.objects.chain(item, user),
        "can_edit": can_edit(user, item),
        "can_update": item.is_action and can_update(user, item),
        "children": children[:PAGE_SIZE],
        "children_count": children.count(),
        "milestones": list(item.milestones.all()),
        "updates_page": updates_page,
        "supports": item.supports.visible_to(user).select_related("parent").order_by("tree_id", "lft"),
        "supported_by": item.supported_by.visible_to(user)
        .select_related("parent", "assigned_to")
        .order_by("tree_id", "lft"),
        "panels": [{"panel": panel, "items": panel.items(item, user)} for panel in LINKED_PANELS],
        "progress_form": ProgressForm(action=item, derived=services.progress_is_derived(item)),
        "milestone_form": MilestoneForm(),
        "expected": item.expected_progress(timezone.localdate()),
        "status_class": rules.CSS_CLASS,
    }
    return render(request, "plans/detail.html", context)


@login_required
def planitem_create(request):
    require_planner(request.user, PLANNERS_ONLY)
    parent = None
    if request.GET.get("parent"):
        try:
            parent_id = int(request.GET["parent"])
        except ValueError:
            raise Http404("No such parent.") from None
        parent = get_editable_or_403(PlanItem.objects.all(), request.user, pk=parent_id)
    form = PlanItemForm(request.POST or None, user=request.user, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.save_item(item=form.instance, supports=form.cleaned_data["supports"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Created {item.code}.")
            return redirect(item)
    chain = PlanItem.objects.chain(parent, request.user) + [{"item": parent, "visible": True}] if parent else []
    return render(request, "plans/form.html", {"form": form, "parent": parent, "item": None, "chain": chain})


@login_required
def planitem_edit(request, pk):
    item = get_editable_or_403(PlanItem.objects.all(), request.user, pk=pk)
    form = PlanItemForm(request.POST or None, instance=item, user=request.user)
    context = {"form": form, "item": item, "parent": item.parent, "chain": PlanItem.objects.chain(item, request.user)}
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(
                item=form.instance,
                expected_version=form.cleaned_data["version"],
                supports=form.cleaned_data["supports"],
            )
        except EditConflict as conflict:
            return render_conflict(request, "plans/form.html", context, conflict, form=form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved changes to {item.code}.")
            return redirect(item)
    return render(request, "plans/form.html", context)


@login_required
def planitem_move(request, pk):
    item = get_editable_or_403(PlanItem.objects.all(), request.user, pk=pk)
    form = MoveForm(request.POST or None, item=item, user=request.user)
    context = {"form": form, "item": item, "chain": PlanItem.objects.chain(item, request.user)}
    if request.method == "POST" and form.is_valid():
        try:
            services.move_item(
                item=item, new_parent=form.cleaned_data["parent_code"], expected_version=form.cleaned_data["version"]
            )
        except EditConflict as conflict:
            return render_conflict(request, "plans/move.html", context, conflict, form=form)
        except ValidationError as exc:
            form.add_error(
                "parent_code",
                "; ".join(m for ms in exc.message_dict.values() for m in ms)
                if hasattr(exc, "error_dict")
                else exc.messages,
            )
        else:
            messages.success(request, f"Moved {item.code} and everything below it.")
            return redirect(item)
    return render(request, "plans/move.html", context)


@login_required
def planitem_archive(request, pk):
    item = get_editable_or_403(PlanItem.objects.all(), request.user, pk=pk)
    context = {"item": item, "below": item.get_descendant_count(), "chain": PlanItem.objects.chain(item, request.user)}
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            count = services.set_archived(item=item, archived=item.active, expected_version=version)
        except EditConflict as conflict:
            item.refresh_from_db()
            return render_conflict(request, "plans/archive.html", context, conflict)
        verb = "Archived" if item.active else "Restored"
        messages.success(request, f"{verb} {item.code} ({count} item{'s' if count != 1 else ''}).")
        return redirect(item)
    return render(request, "plans/archive.html", context)


def _updatable_action(request, pk) -> PlanItem:
    item = get_updatable_or_403(PlanItem.objects.all(), request.user, pk=pk)
    if not item.is_action:
        raise Http404("Progress and milestones belong to actions.")
    return item


@login_required
def progress_create(request, pk):
    action = _updatable_action(request, pk)
    form = ProgressForm(request.POST or None, action=action, derived=services.progress_is_derived(action))
    context = {"form": form, "item": action, "chain": PlanItem.objects.chain(action, request.user)}
    if request.method == "POST" and form.is_valid():
        try:
            services.post_progress(
                action=action,
                author=request.user,
                progress=form.cleaned_data["progress"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except EditConflict as conflict:
            return render_conflict(request, "plans/progress_form.html", context, conflict, form=form)
        messages.success(request, f"Progress on {action.code} recorded.")
        return redirect(action)
    return render(request, "plans/progress_form.html", context)


@login_required
def milestone_create(request, pk):
    action = _updatable_action(request, pk)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.add_milestone(
            action=action,
            title=data["title"],
            due_date=data["due_date"],
            weight=data["weight"],
            completed_on=data["completed_on"],
        )
        messages.success(request, f"Milestone added to {action.code}.")
        return redirect(action)
    return render(
        request,
        "plans/milestone_form.html",
        {"form": form, "item": action, "chain": PlanItem.objects.chain(action, request.user)},
    )


@login_required
@require_POST
def milestone_bulk(request, pk):
    """Complete or delete the ticked milestones of one action."""
    action = _updatable_action(request, pk)
    chosen = list(action.milestones.filter(pk__in=ids_from(request.POST.getlist("milestone"))))
    operation = request.POST.get("operation")
    if not chosen:
        messages.error(request, "Tick at least one milestone first.")
    elif operation == "complete":
        count = services.complete_milestones(action=action, milestones=chosen)
        messages.success(request, f"Marked {count} milestone{'s' if count != 1 else ''} completed.")
    elif operation == "delete":
        count = services.delete_milestones(action=action, milestones=chosen)
        messages.success(request, f"Deleted {count} milestone{'s' if count != 1 else ''}.")
    else:
        messages.error(request, "Choose whether to complete or delete the ticked milestones.")
    return redirect(action)


@login_required
@require_POST
def milestone_promote(request, pk):
    """Turn one milestone into a sub-action (managers and admins: it adds to the plan)."""
    milestone = get_visible_or_404(Milestone.objects.select_related("action"), request.user, pk=pk)
    get_editable_or_403(PlanItem.objects.all(), request.user, pk=milestone.action_id)
    sub_action = services.promote_milestone(milestone=milestone)
    messages.success(request, f"Promoted the milestone to sub-action {sub_action.code}.")
    return redirect(sub_action)


@login_required
def plan_import(request):
    """Upload a CSV/Excel file: "Check" reports what would happen, "Import" writes it all or nothing."""
    require_planner(request.user, PLANNERS_ONLY)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        commit = "commit" in request.POST
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_BACKGROUND_BYTES:
            # A large file is imported by a worker; the job page shows its progress and result.
            return redirect(jobs.start(kind="plan-items", user=request.user, upload=upload, commit=commit))
        try:
            result = imports.import_items(upload=upload, user=request.user, commit=commit)
        except imports.ImportFileError as exc:
            file_error = str(exc)
        else:
            if result.committed:
                messages.success(request, f"Imported {result.created} new and {result.changed} changed items.")
                return redirect("plan-tree")
    return render(
        request,
        "plans/import.html",
        {"form": form, "result": result, "file_error": file_error, "columns": imports.COLUMNS},
    )


@login_required
def plan_settings(request):
    """The performance team sets the Check progress tolerance; statuses are refreshed at once."""
    require_configurer(request.user)
    form = PlanSettingsForm(request.POST or None, instance=PlanSettings.load())
    if request.method == "POST" and form.is_valid():
        form.save()
        changed = services.refresh_statuses()
        messages.success(request, f"Saved. {changed} item status{'es' if changed != 1 else ''} changed.")
        return redirect("plan-settings")
    return render(request, "plans/settings.html", {"form": form})
