import datetime
from collections import deque
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cycle import jobs
from indicators import approvals as approval_backlog
from indicators import charts, exports, figures, imports, monthly, rules, services
from indicators.forms import ImportForm, IndicatorFilterForm, IndicatorForm, TargetForm
from indicators.models import Indicator, Measurement, target_in_force
from pmf import periods
from pmf.access import (
    can_add_structure,
    can_edit,
    can_update,
    get_editable_or_403,
    get_updatable_or_403,
    get_visible_or_404,
    is_admin,
    require_planner,
    require_writer,
)
from pmf.locking import EditConflict, render_conflict
from pmf.paging import page_rows
from pmf.registry import is_issued_period
from pmf.spreadsheets import FileFormatError, stream

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000


def _list_queryset(user):
    return Indicator.objects.visible_to(user).select_related("org_unit", "owner", "updater")


@login_required
def indicator_list(request):
    form = IndicatorFilterForm(request.GET or None, user=request.user)
    indicators = _list_queryset(request.user)
    if form.is_valid():
        indicators = form.filter(indicators)
    else:
        indicators = indicators.order_by("code")
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export_list(indicators[:EXPORT_LIMIT], export)
    # Sort and page over narrow rows (ids), then load the page's 100 PIs with their joins: the
    # database then never sorts 30,000 wide joined rows to show 100.
    page = Paginator(indicators.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    found = _list_queryset(request.user).in_bulk(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    can_create = can_add_structure(request.user)
    return render(request, "indicators/indicator_list.html", {"form": form, "page": page, "can_create": can_create})


def _export_list(indicators, fmt: str):
    return stream(exports.list_rows(indicators), fmt=fmt, filename="indicators", title="indicators")


@login_required
def indicator_detail(request, pk):
    indicator = get_visible_or_404(
        Indicator.objects.select_related("org_unit", "owner", "updater", "proxy_for"), request.user, pk=pk
    )
    span = 36 if request.GET.get("span") == "36" else 13
    measurements = list(indicator.measurements.select_related("entered_by", "approved_by").order_by("-period")[:span])
    benchmarks = list(indicator.benchmarks.all())
    latest_benchmark = benchmarks[0] if benchmarks else None
    can_approve = services.can_approve(request.user, indicator) if request.user.can_write else False
    actions = list(indicator.actions.visible_to(request.user).order_by("tree_id", "lft"))
    context = {
        "indicator": indicator,
        "measurements": measurements,
        "span": span,
        "chart": charts.value_target_figure(indicator, list(reversed(measurements)), latest_benchmark),
        "benchmarks": [(b, b.quartile_of(indicator.latest_value)) for b in benchmarks],
        "quartile_labels": rules.QUARTILE_LABELS,
        "targets": indicator.targets.order_by("-effective_from")[:12],
        "proxies": indicator.proxies.visible_to(request.user).only("pk", "code", "title"),
        "tags": indicator.tags.all(),
        "can_edit": can_edit(request.user, indicator),
        "can_update": can_update(request.user, indicator),
        "can_approve": can_approve,
        "is_admin": is_admin(request.user),
        "actions": actions,
        "to_date": figures.to_date_figures(indicator, as_of=indicator.latest_period) if indicator.latest_period else [],
        "target_form": TargetForm(
            indicator=indicator,
            initial={
                "tolerance_kind": indicator.tolerance_kind,
                "tolerance": indicator.tolerance,
                "effective_from": indicator.period_for(timezone.localdate()),
            },
        ),
    }
    return render(request, "indicators/indicator_detail.html", context)


@login_required
def indicator_create(request):
    require_writer(request.user)
    if not can_add_structure(request.user):
        raise PermissionDenied("You manage no organisation unit to add PIs to.")
    form = IndicatorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        indicator = form.save()
        messages.success(request, f"Added {indicator.code}.")
        return redirect(indicator)
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": None})


@login_required
def indicator_edit(request, pk):
    indicator = get_editable_or_403(Indicator.objects.all(), request.user, pk=pk)
    form = IndicatorForm(request.POST or None, instance=indicator, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved changes to {indicator.code}.")
        return redirect(indicator)
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": indicator})


@login_required
def target_add(request, pk):
    indicator = get_editable_or_403(Indicator.objects.all(), request.user, pk=pk)
    form = TargetForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        services.set_target(indicator=indicator, user=request.user, **form.cleaned_data)
        messages.success(
            request,
            f"Target of {indicator.code} set from {indicator.period_label(form.cleaned_data['effective_from'])}.",
        )
        return redirect(indicator)
    return render(request, "indicators/target_form.html", {"form": form, "indicator": indicator})


@login_required
@require_POST
def measurement_approve(request, pk):
    measurement = get_visible_or_404(Measurement.objects.select_related("indicator"), request.user, pk=pk)
    require_writer(request.user)
    try:
        services.approve(measurement=measurement, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Approved {measurement.indicator.code} {measurement.indicator.period_label(measurement.period)}."
        )
    if request.POST.get("next") == "approvals":
        return redirect("indicator-approvals")
    return redirect(measurement.indicator)


@login_required
@require_POST
def measurement_reopen(request, pk):
    measurement = get_visible_or_404(Measurement.objects.select_related("indicator"), request.user, pk=pk)
    services.reopen(measurement=measurement, user=request.user)
    messages.success(
        request,
        f"Reopened {measurement.indicator.code} "
        f"{measurement.indicator.period_label(measurement.period)} for correction.",
    )
    return redirect(measurement.indicator)


@login_required
def measurement_edit(request, pk, period):
    """One period's value of one PI (the same rules as the monthly update)."""
    indicator = get_updatable_or_403(Indicator.objects.all(), request.user, pk=pk)
    try:
        day = datetime.date.fromisoformat(period)
    except ValueError:
        day = None
    if day is None or periods.period_error(day) or not indicator.is_valid_period(day):
        messages.error(
            request, f"{period} is not a {indicator.get_frequency_display().lower()} period of {indicator.code}."
        )
        return redirect(indicator)
    measurement = indicator.measurements.filter(period=day).select_related("entered_by").first()
    previous = indicator.measurements.filter(period=periods.add_months(day, -indicator.step())).first()
    in_force = target_in_force(services.targets_by_indicator([indicator.pk]).get(indicator.pk, []), day)
    target = measurement.target if measurement is not None else None
    if target is None:
        target = in_force.target if in_force else None
    rows = [
        monthly.Row(
            indicator=indicator,
            period=day,
            measurement=measurement,
            previous=previous,
            target=target,
            issued=measurement is not None and is_issued_period(indicator.pk, day),
            band=monthly.amber_band(indicator, target, in_force),
        )
    ]
    return _update_form(request, rows, month=day, single=True)


@login_required
def monthly_update(request):
    require_writer(request.user)
    month = _month_from(request.GET.get("month"))
    rows = monthly.due_rows(user=request.user, month=month)
    return _update_form(request, rows, month=month, single=False)


def _month_from(text):
    """The month ?month= asks for (YYYY-MM or a date in it) when a page may show it
    (`periods.period_error`), else the month being reported."""
    default = monthly.reporting_month(timezone.localdate())
    if not text:
        return default
    try:
        month = periods.month_start(datetime.date.fromisoformat(f"{text}-01" if len(text) == 7 else text))
    except ValueError:
        return default
    return default if periods.period_error(month) else month


def _update_form(request, rows, *, month, single: bool):
    conflict = None
    if request.method == "POST":
        entries = monthly.read_rows(rows, request.POST)
        if not entries:
            messages.info(request, "Nothing was changed, so nothing was saved.")
            return redirect(request.get_full_path())
        try:
            saved = services.save_values(entries=entries, user=request.user)
        except EditConflict as exc:
            conflict = exc
            conflicted = exc.instance
            for row in rows:
                if row.indicator.pk == conflicted.indicator_id:
                    row.errors["value"] = exc.message
                    row.measurement = (
                        Measurement.objects.filter(indicator_id=conflicted.indicator_id, period=row.period)
                        .select_related("entered_by")
                        .first()
                    )
        except services.EntriesInvalid as exc:
            by_key = {f"{row.indicator.code} {row.indicator.period_label(row.period)}": row for row in rows}
            for key, errors in exc.errors.items():
                by_key[key].errors = errors
        else:
            messages.success(request, f"Saved {len(saved)} value{'s' if len(saved) != 1 else ''}.")
            if single:
                return redirect(rows[0].indicator)
            return redirect(request.get_full_path())
    missing = [row for row in rows if row.is_missing]
    context = {
        "rows": rows,
        "month": month,
        "month_label": periods.month_label(month),
        "deadline": monthly.deadline(month, unit=request.user.org_unit),
        "missing": missing,
        "single": single,
        "previous_month": periods.add_months(month, -1),
        "next_month": periods.add_months(month, 1),
        "has_errors": any(row.errors for row in rows),
        "status_labels": rules.STATUS_LABELS,
    }
    if conflict is not None:
        return render_conflict(request, "indicators/monthly_update.html", context, conflict)
    return render(request, "indicators/monthly_update.html", context, status=400 if context["has_errors"] else 200)


@login_required
def approvals(request):
    """Values waiting for approval by the signed-in person (as owner or manager)."""
    require_writer(request.user)
    page = page_rows(
        approval_backlog.pending_for(request.user).order_by("-period", "-indicator_id").values_list("pk", flat=True),
        Measurement.objects.select_related("indicator", "entered_by"),
        PAGE_SIZE,
        request.GET.get("page"),
        cap=approval_backlog.COUNTED,
    )
    return render(request, "indicators/approvals.html", {"page": page})


FLAGS_PAGE_SIZE = 50


@login_required
def target_flags(request):
    """PIs whose target was met or missed for N consecutive periods (performance team review), each
    list a page at a time. The flags are worked out from narrow rows (PI id and status), every PI
    read back only as far as its frequency needs; only the PIs of the pages shown are loaded."""
    try:
        run = max(2, min(24, int(request.GET.get("run", 6))))
    except ValueError:
        run = 6
    candidates = list(
        Indicator.objects.visible_to(request.user)
        .flaggable()
        .order_by("code")
        .values_list("pk", "frequency", "latest_period")
    )
    oldest: dict[str, datetime.date] = {}
    for _, frequency, latest in candidates:
        oldest[frequency] = min(latest, oldest.get(frequency, latest))
    earliest = {
        frequency: periods.add_months(latest, -Indicator(frequency=frequency).step() * (run - 1))
        for frequency, latest in oldest.items()
    }
    flags: dict[int, str] = {}
    for frequency, start in earliest.items():
        # One query a frequency, in the order of the (PI, period) index: each PI's window is an
        # index range, and no sort is needed. The last RUN statuses of each PI are kept.
        rows = (
            Measurement.objects.filter(
                indicator__in=Indicator.objects.visible_to(request.user).flaggable().filter(frequency=frequency),
                period__gte=start,
            )
            .recorded()
            .order_by("indicator_id", "period")
            .values_list("indicator_id", "status")
        )
        for indicator_id, found in groupby(rows.iterator(chunk_size=10_000), key=itemgetter(0)):
            recent = deque((status for _, status in found), maxlen=run)
            flag = rules.target_flag(list(reversed(recent)), run)
            if flag:
                flags[indicator_id] = flag
    lists = {rules.BEATEN: [], rules.MISSED: []}
    for pk, _, _ in candidates:
        if pk in flags:
            lists[flags[pk]].append(pk)
    context = {"run": run}
    for flag, name in ((rules.BEATEN, "beaten"), (rules.MISSED, "missed")):
        page = Paginator(lists[flag], FLAGS_PAGE_SIZE).get_page(request.GET.get(f"{name}_page"))
        context[f"{name}_page"] = page
        context[name] = page.object_list
    shown = Indicator.objects.select_related("org_unit", "owner").in_bulk([*context["beaten"], *context["missed"]])
    for flag, name in ((rules.BEATEN, "beaten"), (rules.MISSED, "missed")):
        context[name] = [(shown[pk], flag, rules.FLAG_LABELS[flag]) for pk in context[name]]
    return render(request, "indicators/target_flags.html", context)


@login_required
def indicator_import(request):
    require_writer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["kind"] == "definitions":
            require_planner(request.user, "Only managers and the performance team add or change PI definitions.")
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_BACKGROUND_BYTES:
            # A large file is imported by a worker; the job page shows its progress and result.
            job = jobs.start(
                kind=f"indicator-{form.cleaned_data['kind']}",
                user=request.user,
                upload=upload,
                commit=form.cleaned_data["commit"],
            )
            return redirect(job)
        run = imports.import_values if form.cleaned_data["kind"] == "values" else imports.import_definitions
        try:
            report = run(upload=upload, file_name=upload.name, user=request.user, commit=form.cleaned_data["commit"])
        except FileFormatError as exc:
            file_error = str(exc)
        else:
            if report.committed:
                messages.success(
                    request, f"Imported {report.rows} rows: {report.created} added, {report.updated} updated."
                )
                return redirect("indicator-import")
    status = (
        400 if file_error or (report and not report.ok) or (request.method == "POST" and not form.is_valid()) else 200
    )
    return render(
        request, "indicators/import.html", {"form": form, "report": report, "file_error": file_error}, status=status
    )


@login_required
def indicator_export(request, kind, fmt):
    """Definitions or values of the PIs the person can see, in the import format."""
    if fmt not in ("csv", "xlsx") or kind not in ("definitions", "values"):
        raise Http404("No such export.")
    visible = Indicator.objects.visible_to(request.user)
    if kind == "definitions":
        rows = exports.definition_rows(visible.order_by("code")[:EXPORT_LIMIT])
    else:
        rows = exports.value_rows(
            Measurement.objects.filter(indicator__in=visible)
            .order_by("indicator__code", "period")
            .values_list("indicator__code", "period", "value", "target", "commentary")[:1_000_000]
            .iterator(chunk_size=5000)
        )
    return stream(rows, fmt=fmt, filename=f"indicator-{kind}", title=f"indicator-{kind}")
