"""Snapshot pages: saved views of PIs (with plan actions and the sections other modules add, such as
risks), and each person's own snapshot."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from pmf.access import can_write, get_editable_or_403, get_visible_or_404, require_writer
from scorecards import pages, services
from scorecards.forms import SnapshotForm
from scorecards.models import Snapshot


@login_required
def snapshot_list(request):
    snapshots = list(Snapshot.objects.visible_to(request.user).select_related("owner", "org_unit"))
    mine = [s for s in snapshots if s.owner_id == request.user.pk]
    others = [s for s in snapshots if s.owner_id != request.user.pk]
    can_create = can_write(request.user)
    return render(request, "scorecards/snapshot_list.html", {"mine": mine, "others": others, "can_create": can_create})


def _render_snapshot(request, snapshot: Snapshot, *, can_edit: bool):
    page = pages.snapshot_page(snapshot, request.user, request.GET.get("page"))
    return render(
        request,
        "scorecards/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "actions": page.actions,
            "actions_total": page.actions_total,
            "sections": page.sections,
            "rows": page.rows,
            "hidden": page.hidden,
            "columns": snapshot.column_list,
            "counts": page.counts,
            "can_edit": can_edit,
            "period": snapshot.period,
            "page": page.page,
        },
    )


@login_required
def snapshot_mine(request):
    return _render_snapshot(request, services.my_snapshot(request.user), can_edit=False)


@login_required
def snapshot_detail(request, pk):
    snapshot = get_visible_or_404(Snapshot.objects.select_related("owner", "unit_filter"), request.user, pk=pk)
    can_edit = Snapshot.objects.editable_by(request.user).filter(pk=pk).exists()
    return _render_snapshot(request, snapshot, can_edit=can_edit)


@login_required
def snapshot_create(request):
    require_writer(request.user)
    form = SnapshotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        snapshot = form.save()
        messages.success(request, f"Snapshot “{snapshot.name}” saved.")
        return redirect(snapshot)
    return render(request, "scorecards/snapshot_form.html", {"form": form, "title": "New snapshot"})


@login_required
def snapshot_edit(request, pk):
    snapshot = get_editable_or_403(Snapshot.objects, request.user, pk=pk)
    form = SnapshotForm(request.POST or None, instance=snapshot, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Snapshot saved.")
        return redirect(snapshot)
    return render(
        request, "scorecards/snapshot_form.html", {"form": form, "title": f"Edit {snapshot.name}", "snapshot": snapshot}
    )
