from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from people import services
from people.forms import (
    AgreedActionForm,
    AppraisalForm,
    ChangesForm,
    MeetingNotesForm,
    NeedForm,
    ObjectiveForm,
    StartAppraisalForm,
    StartMeetingForm,
    line_people,
)
from people.models import Appraisal, Meeting
from people.querysets import line_or_admin_q
from pmf.access import covers_everything, get_visible_or_404, require_writer
from pmf.forms import add_errors
from pmf.models import User
from pmf.registry import PERSON_ITEMS


def _refuse(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _visible_person(user, pk: int) -> User:
    """The person whose 1-2-1s and appraisals USER may read: themselves, someone below them in the
    line, anyone in an admin's scope; 404 otherwise."""
    people = User.objects.all() if covers_everything(user) else User.objects.filter(line_or_admin_q(user, "pk"))
    try:
        return people.get(pk=pk)
    except User.DoesNotExist:
        raise Http404("No such person.") from None


@login_required
def people_home(request):
    """The signed-in person's own 1-2-1s and appraisals, and the people below them in the line
    with their latest 1-2-1 and next meeting date."""
    user = request.user
    team = list(
        line_people(user)
        .select_related("line_manager", "org_unit")
        .annotate(last_meeting=Max("meetings__held_on", filter=Q(meetings__status=Meeting.Status.COMPLETED)))
    )
    next_dates = _next_dates(team) if team else {}
    open_meetings = dict(
        Meeting.objects.filter(person__in=team, status=Meeting.Status.OPEN).values_list("person_id", "pk")
    )
    for person in team:
        person.next_meeting = next_dates.get(person.pk)
        person.open_meeting = open_meetings.get(person.pk)
    context = {
        "team": team,
        "my_meetings": Meeting.objects.filter(person=user).select_related("manager")[:24],
        "my_appraisals": Appraisal.objects.filter(person=user).select_related("manager"),
        "team_appraisals": Appraisal.objects.filter(person__in=team).select_related("person", "manager")[:100]
        if team
        else [],
        "start_form": StartMeetingForm(user=user) if team else None,
        "appraisal_form": StartAppraisalForm(user=user, auto_id="appraisal_%s") if team else None,
    }
    return render(request, "people/home.html", context)


def _next_dates(team) -> dict:
    """{person id: next meeting date set at their latest completed 1-2-1}: one query."""
    found = {}
    for person_id, next_meeting in (
        Meeting.objects.filter(person__in=team, status=Meeting.Status.COMPLETED)
        .order_by("person_id", "held_on", "pk")
        .values_list("person_id", "next_meeting")
    ):
        found[person_id] = next_meeting
    return found


@login_required
def meeting_start(request):
    require_writer(request.user)
    form = StartMeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.start_meeting(
                manager=request.user, person=form.cleaned_data["person"], held_on=form.cleaned_data["held_on"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"1-2-1 with {meeting.person} started.")
            return redirect(meeting)
    return render(request, "people/meeting_start.html", {"form": form}, status=400 if form.errors else 200)


def _facts_html(facts) -> str:
    """The (label, text) facts of an item as the list every row shows (built here, not by an
    included template per row: a 1-2-1 may list hundreds of items)."""
    return mark_safe(
        '<ul class="facts">'
        + "".join(f'<li><span class="facts__label">{escape(label)}</span> {escape(text)}</li>' for label, text in facts)
        + "</ul>"
    )


def _frozen_row(row) -> dict:
    """A frozen MeetingItem as the template reads it (plain keys: the page may list hundreds)."""
    return {
        "code": row.code,
        "title": row.title,
        "tone": row.tone or "grey",
        "status_label": row.status_label or "–",
        "attention": row.attention,
        "facts": _facts_html(row.facts),
        "manager_comment": row.manager_comment,
        "person_comment": row.person_comment,
    }


def _meeting_context(request, meeting: Meeting, *, notes_form=None, action_form=None) -> dict:
    user = request.user
    side = services.side_of(user, meeting.person)
    context = {"meeting": meeting, "side": side, "person": meeting.person}
    if meeting.is_completed:
        rows = list(meeting.items.all())
        sections = []
        for source in PERSON_ITEMS:
            source_key, label = source.key, source.label
            items = [_frozen_row(row) for row in rows if row.kind == source_key]
            if items:
                sections.append({"label": label, "items": items})
        context["frozen_sections"] = sections
    else:
        live = services.gather(meeting.person)
        commented = {row.key: row for row in meeting.items.all()}
        if side is not None and notes_form is None:
            notes_form = MeetingNotesForm(
                initial={
                    "notes": meeting.manager_notes if side == services.MANAGER else meeting.person_notes,
                    "next_meeting": meeting.next_meeting,
                },
                manager_side=side == services.MANAGER,
            )
        own = "manager_comment" if side == services.MANAGER else "person_comment"
        other = "person_comment" if side == services.MANAGER else "manager_comment"
        posted = notes_form.data if notes_form is not None and notes_form.is_bound else None
        sections = []
        for section in live:
            rows = []
            for item in section.items:
                comments = commented.get((item.kind, item.object_id))
                name = MeetingNotesForm.comment_name(item.kind, item.object_id)
                value = posted.get(name, "") if posted is not None else getattr(comments, own, "")
                rows.append(
                    {
                        "code": item.code,
                        "title": item.title,
                        "url": item.url,
                        "tone": item.tone,
                        "status_label": item.status_label,
                        "attention": item.attention,
                        "facts": _facts_html(item.facts),
                        "field": name,
                        "value": value,
                        "other": getattr(comments, other, "") if side else "",
                        "manager_comment": getattr(comments, "manager_comment", ""),
                        "person_comment": getattr(comments, "person_comment", ""),
                    }
                )
            sections.append({"label": section.label, "items": rows})
        context["live_sections"] = sections
        context["item_count"] = sum(len(section.items) for section in live)
        context["notes_form"] = notes_form
        if side == services.MANAGER and action_form is None:
            action_form = AgreedActionForm(user=user, person=meeting.person)
        context["action_form"] = action_form
    context["agreed_actions"] = list(meeting.agreed_actions.select_related("parent").order_by("code"))
    return context


@login_required
def meeting_detail(request, pk):
    meeting = get_visible_or_404(
        Meeting.objects.select_related("person", "manager", "completed_by"), request.user, pk=pk
    )
    return render(request, "people/meeting.html", _meeting_context(request, meeting))


def _writable_meeting(request, pk) -> Meeting:
    meeting = get_visible_or_404(Meeting.objects.select_related("person", "manager"), request.user, pk=pk)
    if services.side_of(request.user, meeting.person) is None:
        raise PermissionDenied("Only the person and the people above them in the line write in a 1-2-1.")
    return meeting


@login_required
@require_POST
def meeting_save(request, pk):
    meeting = _writable_meeting(request, pk)
    side = services.side_of(request.user, meeting.person)
    if meeting.is_completed:
        _refuse(
            request,
            ValidationError(f"This 1-2-1 was completed on {meeting.completed_at:%d %b %Y}: nothing can be changed."),
        )
        return redirect(meeting)
    items = [item for section in services.gather(meeting.person) for item in section.items]
    form = MeetingNotesForm(request.POST, items=items, manager_side=side == services.MANAGER)
    if form.is_valid():
        try:
            services.save_meeting(
                meeting=meeting,
                user=request.user,
                notes=form.cleaned_data["notes"],
                comments=form.comments(),
                next_meeting=form.cleaned_data.get("next_meeting"),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Notes and comments saved.")
            return redirect(meeting)
    return render(request, "people/meeting.html", _meeting_context(request, meeting, notes_form=form), status=400)


@login_required
@require_POST
def meeting_action(request, pk):
    meeting = _writable_meeting(request, pk)
    form = AgreedActionForm(request.POST, user=request.user, person=meeting.person)
    if form.is_valid():
        try:
            action = services.add_agreed_action(meeting=meeting, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Action {action.code} created and assigned to {meeting.person}.")
            return redirect(meeting)
    if meeting.is_completed:
        _refuse(
            request,
            ValidationError(f"This 1-2-1 was completed on {meeting.completed_at:%d %b %Y}: nothing can be changed."),
        )
        return redirect(meeting)
    return render(request, "people/meeting.html", _meeting_context(request, meeting, action_form=form), status=400)


@login_required
@require_POST
def meeting_complete(request, pk):
    meeting = _writable_meeting(request, pk)
    try:
        count = services.complete_meeting(meeting=meeting, user=request.user)
    except ValidationError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, f"1-2-1 completed: {count} items recorded as they stand today.")
    return redirect(meeting)


@login_required
def person_history(request, pk):
    """A person's completed 1-2-1s (newest first), their appraisals and, when two meetings are
    chosen, what changed between them."""
    person = _visible_person(request.user, pk)
    meetings = list(Meeting.objects.filter(person=person).select_related("manager"))
    completed = [meeting for meeting in meetings if meeting.is_completed]
    changes = earlier = later = None
    form = ChangesForm(request.GET or None)
    if request.GET and form.is_valid():
        by_id = {meeting.pk: meeting for meeting in completed}
        earlier, later = by_id.get(form.cleaned_data["earlier"]), by_id.get(form.cleaned_data["later"])
        if earlier is None or later is None:
            form.add_error(None, "Choose two completed 1-2-1s of this person.")
        else:
            if (earlier.held_on, earlier.pk) > (later.held_on, later.pk):
                earlier, later = later, earlier
            changes = services.changes_between(earlier, later)
    elif len(completed) >= 2 and not request.GET:
        earlier, later = completed[1], completed[0]
        changes = services.changes_between(earlier, later)
        form = ChangesForm(initial={"earlier": earlier.pk, "later": later.pk})
    context = {
        "person": person,
        "meetings": meetings,
        "completed": completed,
        "appraisals": Appraisal.objects.filter(person=person).select_related("manager"),
        "changes": changes,
        "earlier": earlier,
        "later": later,
        "form": form,
    }
    return render(request, "people/person.html", context, status=400 if form.errors else 200)


# Appraisals ------------------------------------------------------------------------------------


@login_required
def appraisal_start(request):
    require_writer(request.user)
    form = StartAppraisalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = services.start_appraisal(
                manager=request.user, person=form.cleaned_data["person"], year=form.cleaned_data["year"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Appraisal of {appraisal.person} for {appraisal.year_label} started.")
            return redirect(appraisal)
    return render(request, "people/appraisal_start.html", {"form": form}, status=400 if form.errors else 200)


def _appraisal_context(request, appraisal, **forms) -> dict:
    user = request.user
    side = services.side_of(user, appraisal.person)
    objectives = list(appraisal.objectives.select_related("plan_item"))
    editable = side is not None and not appraisal.any_signature
    context = {
        "appraisal": appraisal,
        "side": side,
        "objectives": objectives,
        "needs": list(appraisal.needs.all()),
        "editable": editable,
        "can_sign": side is not None
        and not (appraisal.person_signed_at if side == services.PERSON else appraisal.manager_signed_at),
    }
    if editable:
        context["form"] = forms.get("form") or AppraisalForm(
            initial={"comments": appraisal.manager_comments if side == services.MANAGER else appraisal.person_comments},
            objectives=objectives,
            manager_side=side == services.MANAGER,
        )
        context["objective_form"] = forms.get("objective_form") or ObjectiveForm(user=user, person=appraisal.person)
        context["need_form"] = forms.get("need_form") or NeedForm()
    return context


def _writable_appraisal(request, pk) -> Appraisal:
    appraisal = get_visible_or_404(Appraisal.objects.select_related("person", "manager"), request.user, pk=pk)
    if services.side_of(request.user, appraisal.person) is None:
        raise PermissionDenied("Only the person and the people above them in the line write in an appraisal.")
    return appraisal


@login_required
def appraisal_detail(request, pk):
    appraisal = get_visible_or_404(
        Appraisal.objects.select_related("person", "manager", "manager_signed_by"), request.user, pk=pk
    )
    return render(request, "people/appraisal.html", _appraisal_context(request, appraisal))


def _appraisal_write(request, pk, form_name, build_form, call):
    appraisal = _writable_appraisal(request, pk)
    form = build_form(appraisal)
    if form.is_valid():
        try:
            call(appraisal, form)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                _refuse(request, exc)
                return redirect(appraisal)
            add_errors(form, exc)
        else:
            messages.success(request, "Appraisal saved.")
            return redirect(appraisal)
    if appraisal.any_signature:
        _refuse(request, ValidationError("This appraisal has been signed: its content can no longer be changed."))
        return redirect(appraisal)
    return render(
        request, "people/appraisal.html", _appraisal_context(request, appraisal, **{form_name: form}), status=400
    )


@login_required
@require_POST
def appraisal_save(request, pk):
    def build(appraisal):
        side = services.side_of(request.user, appraisal.person)
        return AppraisalForm(request.POST, objectives=appraisal.objectives.all(), manager_side=side == services.MANAGER)

    return _appraisal_write(
        request,
        pk,
        "form",
        build,
        lambda appraisal, form: services.save_appraisal(
            appraisal=appraisal, user=request.user, comments=form.cleaned_data["comments"], ratings=form.ratings()
        ),
    )


@login_required
@require_POST
def appraisal_objective(request, pk):
    return _appraisal_write(
        request,
        pk,
        "objective_form",
        lambda appraisal: ObjectiveForm(request.POST, user=request.user, person=appraisal.person),
        lambda appraisal, form: services.add_objective(appraisal=appraisal, user=request.user, **form.cleaned_data),
    )


@login_required
@require_POST
def appraisal_need(request, pk):
    return _appraisal_write(
        request,
        pk,
        "need_form",
        lambda appraisal: NeedForm(request.POST),
        lambda appraisal, form: services.add_need(appraisal=appraisal, user=request.user, **form.cleaned_data),
    )


@login_required
@require_POST
def appraisal_sign(request, pk):
    appraisal = _writable_appraisal(request, pk)
    try:
        appraisal = services.sign_appraisal(appraisal=appraisal, user=request.user)
    except ValidationError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, "Signed." + (" The appraisal is now read-only." if appraisal.is_signed else ""))
    return redirect(appraisal)
