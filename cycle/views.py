import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cycle import chase, jobs, rules, services
from cycle.calendar import Calendars, PeriodLocks
from cycle.forms import CalendarForm, MarkReadForm, OverrideFormSet, PreferenceForm, UnitForm
from cycle.models import Chase, Digest, DigestPreference, FailedTask, Job, Notification, ReportingCalendar
from indicators import monthly
from indicators import services as pi_services
from indicators.models import Indicator, Measurement, target_in_force
from pmf import periods
from pmf.access import (
    admin_covers,
    admin_scope_q,
    covers_everything,
    get_editable_or_403,
    get_visible_or_404,
    is_admin,
    require_admin,
    require_planner,
    unit_subtree_q,
)
from pmf.forms import add_errors
from pmf.locking import EditConflict, render_conflict
from pmf.models import OrgUnit, User

PAGE_SIZE = 50
PEOPLE_SHOWN = 50
BEHIND_403 = "Only managers and the performance team see who is behind."


# The calendar ---------------------------------------------------------------------------------


@login_required
def calendar_page(request):
    """This month and the next three: when each step falls for the person's organisation (admins
    pick one) and what the person owes in each."""
    today = timezone.localdate()
    form = UnitForm(request.GET or None)
    unit = request.user.org_unit if request.user.org_unit_id else None
    organisations = []
    if is_admin(request.user):
        organisations = list(
            OrgUnit.objects.filter(
                admin_scope_q(request.user, ""), kind__in=[OrgUnit.Kind.GROUP, OrgUnit.Kind.ORGANISATION]
            ).order_by("tree_id", "lft")
        )
        if form.is_valid() and form.cleaned_data["unit"]:
            unit = next((org for org in organisations if org.pk == form.cleaned_data["unit"]), unit)
    days = Calendars.load().for_unit(unit)
    start = periods.month_start(today)
    owed = _owed_by_month(request.user, start)
    months = []
    for offset in range(4):
        shown = periods.add_months(start, offset)
        reporting = periods.add_months(shown, -1)
        months.append(
            {
                "label": shown.strftime("%B %Y"),
                "reporting": periods.month_label(reporting),
                "steps": [
                    {"label": rules.STEP_LABELS[step], "date": date, "past": date < today}
                    for step, date in days.steps(reporting)
                ],
                "owed": owed[offset],
            }
        )
    return render(
        request,
        "cycle/calendar.html",
        {"months": months, "unit": unit, "organisations": organisations, "days": days, "today": today},
    )


@login_required
def calendar_edit(request, unit_pk):
    """The performance team edits the reporting calendar of an organisation or group in their scope
    (made on first save, with the built-in days), with its moved dates."""
    unit = get_visible_or_404(OrgUnit.objects.all(), request.user, pk=unit_pk)
    require_admin(request.user)
    if not admin_covers(request.user, unit) or unit.kind not in (OrgUnit.Kind.GROUP, OrgUnit.Kind.ORGANISATION):
        raise Http404("No organisation or group of yours.")
    calendar = ReportingCalendar.objects.filter(org_unit=unit).first() or ReportingCalendar(org_unit=unit)
    creating = calendar.pk is None
    data = request.POST if request.method == "POST" else None
    form = CalendarForm(data, instance=calendar)
    # The form first: the moved dates are checked against the days as edited.
    valid = form.is_valid()
    overrides = OverrideFormSet(data, instance=calendar, prefix="overrides")
    valid = overrides.is_valid() and valid
    if data is not None and valid:
        try:
            with transaction.atomic():
                form.save()
                overrides.instance = calendar
                overrides.save()
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            verb = "Set up" if creating else "Saved"
            messages.success(request, f"{verb} the reporting calendar of {unit.name}.")
            return redirect(f"{reverse('cycle-calendar')}?unit={unit.pk}")
    return render(
        request,
        "cycle/calendar_edit.html",
        {"unit": unit, "form": form, "overrides": overrides, "creating": creating},
        status=400 if data is not None else 200,
    )


def _owed_by_month(user, start: datetime.date) -> list[dict]:
    """For each of the four months from START: the person's PIs whose values fall due in it (for
    the month before), the values they approve, and their open actions due in it."""
    from plans.models import PlanItem

    found = []
    pis = list(Indicator.objects.due_for(user).values_list("frequency", flat=True))
    owned = list(Indicator.objects.filter(owner=user, active=True).values_list("frequency", flat=True))
    end = periods.add_months(start, 4)
    actions = list(
        PlanItem.objects.filter(kind=PlanItem.Kind.ACTION, active=True, due_date__gte=start, due_date__lt=end)
        .for_person(user)
        .open()
        .values_list("due_date", flat=True)
    )
    for offset in range(4):
        shown = periods.add_months(start, offset)
        due = monthly.due_periods(periods.add_months(shown, -1))
        found.append(
            {
                "values": sum(1 for frequency in pis if frequency in due),
                "approvals": sum(1 for frequency in owned if frequency in due),
                "actions": sum(1 for day in actions if periods.month_start(day) == shown),
            }
        )
    return found


# Notifications ----------------------------------------------------------------------------------


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user)
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(
        request,
        "cycle/notifications.html",
        {"page": page, "unread": unread, "unread_only": unread_only},
    )


@login_required
@require_POST
def notifications_read(request):
    mine = list(
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).values_list("pk", flat=True)[:5000]
    )
    form = MarkReadForm(request.POST, choices=mine)
    if not form.is_valid():
        if "ids" in form.errors:
            messages.error(request, "Those notifications are not yours, or are read already.")
        else:
            messages.error(request, " ".join(form.errors["__all__"]))
        return redirect("cycle-notifications")
    ids = None if form.cleaned_data["all"] else form.cleaned_data["ids"]
    marked = services.mark_read(user=request.user, ids=ids)
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read.")
    return redirect("cycle-notifications")


@login_required
def preferences(request):
    preference = DigestPreference.objects.filter(user=request.user).first() or DigestPreference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved your digest preferences.")
        return redirect("cycle-preferences")
    return render(request, "cycle/preferences.html", {"form": form}, status=400 if form.errors else 200)


# Who is behind ----------------------------------------------------------------------------------


def _scope(user) -> OrgUnit | None:
    """The unit whose subtree USER sees on Who is behind: their own (an admin's is their scope,
    admin_scope_q); None (everything) only for a superuser."""
    require_planner(user, BEHIND_403)
    if covers_everything(user):
        return None
    if not user.org_unit_id:
        raise PermissionDenied("You manage no organisation unit.")
    return user.org_unit


def _within_scope(scope: OrgUnit | None):
    units = OrgUnit.objects.all()
    return units.filter(unit_subtree_q(scope, "")) if scope is not None else units


@login_required
def behind(request):
    """Per unit (the units directly below the one looked at) and per person: how many values are
    missing, reds lack commentary, values await approval, actions are overdue (and the modules'
    overdue items). A fixed number of queries whatever the size of the organisation."""
    scope = _scope(request.user)
    form = UnitForm(request.GET or None)
    current = scope
    if form.is_valid() and form.cleaned_data["unit"]:
        current = _within_scope(scope).filter(pk=form.cleaned_data["unit"]).first()
        if current is None:
            raise Http404("No such unit among yours.")
    today = timezone.localdate()
    month = chase.reporting_month(today)
    counts = chase.behind_counts(month, today, unit=current)
    categories = chase.categories()
    if current is not None:
        children = list(current.get_children().order_by("lft"))
        units = list(OrgUnit.objects.filter(unit_subtree_q(current, "")).values_list("pk", "lft", "rght"))
    else:
        children = list(OrgUnit.objects.filter(parent__isnull=True).order_by("tree_id"))
        units = list(OrgUnit.objects.values_list("pk", "lft", "rght", "tree_id"))
    unit_rows = _unit_rows(children, units, counts, categories, current)
    person_totals: dict[int, dict] = {}
    for (person_id, _), found in counts.items():
        row = person_totals.setdefault(person_id, dict.fromkeys((key for key, _ in categories), 0))
        for key, number in found.items():
            row[key] = row.get(key, 0) + number
    ranked = sorted(person_totals.items(), key=lambda pair: -sum(pair[1].values()))
    people = User.objects.filter(pk__in=[pk for pk, _ in ranked[:PEOPLE_SHOWN]]).select_related(
        "org_unit", "line_manager"
    )
    by_pk = {person.pk: person for person in people}
    person_rows = [
        {"person": by_pk[pk], "counts": [row[key] for key, _ in categories], "total": sum(row.values())}
        for pk, row in ranked[:PEOPLE_SHOWN]
        if pk in by_pk
    ]
    context = {
        "current": current,
        "ancestors": _ancestors(current, scope),
        "month_label": periods.month_label(month),
        "categories": categories,
        "unit_rows": unit_rows,
        "person_rows": person_rows,
        "people_behind": len(person_totals),
        "shown": PEOPLE_SHOWN,
        "totals": [sum(row["counts"][i] for row in unit_rows) for i in range(len(categories))],
        "no_line_manager": [row for row in person_rows if row["person"].line_manager_id is None],
        "no_email": [row for row in person_rows if not row["person"].email],
        "is_admin": is_admin(request.user),
    }
    return render(request, "cycle/behind.html", context)


def _unit_rows(children, units, counts, categories, current) -> list[dict]:
    """Each child unit with the counts of its subtree."""
    if current is None:
        tree_of = {pk: tree for pk, _, _, tree in units}
        child_of = {pk: child for child in children for pk, tree in tree_of.items() if tree == child.tree_id}
    else:
        child_of = {}
        for pk, lft, rght in units:
            for child in children:
                if child.lft <= lft and rght <= child.rght:
                    child_of[pk] = child
                    break
    keys = [key for key, _ in categories]
    rows = {child.pk: dict.fromkeys(keys, 0) for child in children}
    own = dict.fromkeys(keys, 0)
    for (_, unit_id), found in counts.items():
        child = child_of.get(unit_id)
        target = rows[child.pk] if child is not None else own
        for key, number in found.items():
            target[key] = target.get(key, 0) + number
    result = [
        {"unit": child, "counts": [rows[child.pk][key] for key in keys], "total": sum(rows[child.pk].values())}
        for child in children
    ]
    if current is not None and sum(own.values()):
        result.insert(0, {"unit": None, "counts": [own[key] for key in keys], "total": sum(own.values())})
    return result


def _ancestors(current, scope) -> list[OrgUnit]:
    if current is None:
        return []
    ancestors = list(current.get_ancestors())
    if scope is not None:
        ancestors = [unit for unit in ancestors if unit.level >= scope.level]
    return ancestors


def _person_in_scope(request, pk) -> tuple[User, OrgUnit | None]:
    scope = _scope(request.user)
    people = User.objects.select_related("org_unit", "line_manager")
    if scope is not None:
        people = people.filter(unit_subtree_q(scope, "org_unit"))
    person = people.filter(pk=pk).first()
    if person is None:
        raise Http404("No such person among yours.")
    return person, scope


@login_required
def behind_person(request, pk):
    """What one person is behind on, item by item, with the chases sent to them."""
    person, scope = _person_in_scope(request, pk)
    today = timezone.localdate()
    month = chase.reporting_month(today)
    found = chase.person_items(person, month, today, unit=scope)
    labels = dict(chase.categories())
    sections = [(labels.get(key, key), items) for key, items in found.items()]
    chases = list(Chase.objects.filter(person=person).select_related("chased_by")[:10])
    chased_today = next((c for c in chases if c.day == today), None)
    return render(
        request,
        "cycle/behind_person.html",
        {
            "person": person,
            "month_label": periods.month_label(month),
            "sections": sections,
            "total": sum(len(items) for items in found.values()),
            "chases": chases,
            "chased_today": chased_today,
            "undelivered": Digest.objects.filter(recipient=person)
            .exclude(status=Digest.Status.SENT)
            .order_by("-day")[:5],
        },
    )


@login_required
@require_POST
def chase_person(request, pk):
    person, scope = _person_in_scope(request, pk)
    try:
        record = services.chase_now(person=person, by=request.user, unit=scope)
    except (services.AlreadyChased, services.NothingToChase) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"Sent {person.name} a reminder of {record.items} item{'s' if record.items != 1 else ''}.",
        )
    return redirect("cycle-behind-person", pk=person.pk)


# Correcting a locked value ----------------------------------------------------------------------


@login_required
def correct_value(request, pk, period):
    """A manager over the PI, or the performance team, corrects a value with a reason (required
    once the period has locked; the reason shows on the restatement of an issued edition)."""
    indicator = get_editable_or_403(Indicator.objects.select_related("org_unit"), request.user, pk=pk)
    try:
        day = datetime.date.fromisoformat(period)
    except ValueError:
        day = None
    if day is None or not indicator.is_valid_period(day):
        messages.error(
            request, f"{period} is not a {indicator.get_frequency_display().lower()} period of {indicator.code}."
        )
        return redirect(indicator)
    measurement = indicator.measurements.filter(period=day).select_related("entered_by", "approved_by").first()
    target = measurement.target if measurement is not None else None
    if target is None:
        in_force = target_in_force(pi_services.targets_by_indicator([indicator.pk]).get(indicator.pk, []), day)
        target = in_force.target if in_force else None
    previous = indicator.measurements.filter(period=periods.add_months(day, -indicator.step())).first()
    row = monthly.Row(indicator=indicator, period=day, measurement=measurement, previous=previous, target=target)
    locks = PeriodLocks.load()
    locked_on = locks.locked_on(indicator.org_unit_id, indicator.frequency, day)
    context = {"row": row, "indicator": indicator, "locked_on": locked_on}
    if request.method == "POST" and not row.is_locked:
        entries = monthly.read_rows([row], request.POST)
        if not entries:
            messages.info(request, "Nothing was changed, so nothing was saved.")
            return redirect(request.get_full_path())
        try:
            pi_services.save_values(entries=entries, user=request.user)
        except EditConflict as exc:
            row.measurement = Measurement.objects.filter(indicator=indicator, period=day).first()
            return render_conflict(request, "cycle/correct.html", context, exc)
        except pi_services.EntriesInvalid as exc:
            row.errors = next(iter(exc.errors.values()))
            return render(request, "cycle/correct.html", context, status=400)
        messages.success(request, f"Saved the correction of {indicator.code} {indicator.period_label(day)}.")
        return redirect(indicator)
    return render(request, "cycle/correct.html", context)


# Background jobs --------------------------------------------------------------------------------


def _job_for(request, pk) -> Job:
    jobs_seen = Job.objects.all() if is_admin(request.user) else Job.objects.filter(user=request.user)
    job = jobs_seen.filter(pk=pk).first()
    if job is None:
        raise Http404("No such job of yours.")
    return job


@login_required
def job_detail(request, pk):
    job = _job_for(request, pk)
    return render(request, "cycle/job.html", _job_context(job))


@login_required
def job_progress(request, pk):
    """The part of the job page that htmx reloads until the job has finished."""
    job = _job_for(request, pk)
    return render(request, "cycle/job.html#status", _job_context(job))


def _job_context(job: Job) -> dict:
    kind = jobs.kind_of(job.kind)
    return {
        "job": job,
        "kind": kind,
        "back": reverse(kind.back) if kind else reverse("home"),
        "progress": jobs.progress_of(job),
        "result": job.result or {},
    }


# The failed list --------------------------------------------------------------------------------


@login_required
def failed(request):
    """For the performance team: tasks that failed for good, jobs that failed, e-mails not sent."""
    require_admin(request.user)
    return render(
        request,
        "cycle/failed.html",
        {
            "tasks": FailedTask.objects.all()[:100],
            "jobs": Job.objects.filter(status=Job.Status.FAILED).select_related("user")[:100],
            "digests": Digest.objects.exclude(status=Digest.Status.SENT)
            .select_related("recipient")
            .order_by("-day", "recipient__name")[:200],
        },
    )
