"""Pages of the scrutiny module. Thin: parse a form, load through the access rules, call a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from pmf.access import (
    can_edit,
    can_plan,
    get_editable_or_403,
    get_visible_or_404,
    is_admin,
    require_admin,
    require_planner,
)
from pmf.forms import add_errors, id_from
from pmf.history import recent_history
from scrutiny import pages, rules, services, subjects
from scrutiny.forms import (
    AcceptForm,
    AnswerForm,
    ClinicActionForm,
    ClinicForm,
    DeclineForm,
    MeetingForm,
    MergeForm,
    OutcomeForm,
    ProgrammeFilterForm,
    RaiseForm,
)
from scrutiny.models import BoardMeeting, PerformanceClinic, Referral, ReferralAttachment

HISTORY_SHOWN = 20


def _referral(request, pk):
    return get_visible_or_404(Referral.objects.for_page(), request.user, pk=pk)


@login_required
def referral_mine(request):
    """The referrals the person raised (with their status) and those assigned to them to answer."""
    user = request.user
    context = {
        "raised": list(Referral.objects.filter(raised_by=user).for_listing().order_by("-raised_on", "-pk")),
        "assigned": list(
            Referral.objects.filter(assigned_to=user, status=rules.ACCEPTED).for_listing().order_by("due_on", "pk")
        ),
    }
    return render(request, "scrutiny/mine.html", context)


@login_required
def referral_raise(request, kind, pk):
    """Raise a referral on a PI, a scorecard section or an action the person can see (anyone
    signed in may, viewers included: the one write a Board member has)."""
    if kind not in subjects.KINDS:
        raise Http404("No such kind of subject.")
    subject = subjects.referable(kind, request.user).filter(pk=pk).first()
    if subject is None:
        raise Http404(f"No {subjects.KIND_LABELS[kind]} found.")
    form = RaiseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.raise_referral(
                kind=kind, subject_id=pk, question=data["question"], meeting=data["meeting"], user=request.user
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Referral {referral.pk} raised; the performance team will triage it.")
            return redirect(referral)
    context = {"form": form, "subject": subject, "kind_label": subjects.KIND_LABELS[kind]}
    return render(request, "scrutiny/raise.html", context)


@login_required
def referral_detail(request, pk):
    user = request.user
    referral = _referral(request, pk)
    admin = is_admin(user)
    context = {
        "referral": referral,
        "subject_link": subjects.subject_link(referral, user),
        "attachments": list(referral.attachments.all()),
        "merged": list(referral.merged.visible_to(user).select_related("raised_by")),
        "history": recent_history(referral, HISTORY_SHOWN),
        "can_triage": admin and referral.status == rules.RAISED,
        "can_answer": referral.assigned_to_id == user.pk and referral.status == rules.ACCEPTED,
        "can_conclude": admin and referral.status == rules.ANSWERED,
        "accept_form": AcceptForm(user=user) if admin else None,
        "merge_form": MergeForm(referral=referral) if admin else None,
        "decline_form": DeclineForm() if admin else None,
    }
    return render(request, "scrutiny/detail.html", context)


def _triage(request, pk, form_class, step, template, form_kwargs):
    """The shared shape of the performance team's steps: 404 to those who cannot see the referral,
    403 to those who can but are not the performance team, then the form and the service."""
    referral = get_editable_or_403(Referral.objects.for_page(), request.user, pk=pk)
    form = form_class(request.POST or None, **form_kwargs(referral))
    if request.method == "POST" and form.is_valid():
        try:
            step(referral, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(referral)
    return render(request, template, {"referral": referral, "form": form})


@login_required
def referral_accept(request, pk):
    def step(referral, data):
        done = services.accept_referral(
            referral=referral, assigned_to=data["assigned_to"], due_on=data["due_on"], user=request.user
        )
        messages.success(request, f"Referral {done.pk} accepted and assigned to {done.assigned_to.name}.")

    return _triage(request, pk, AcceptForm, step, "scrutiny/step_form.html", lambda r: {"user": request.user})


@login_required
def referral_merge(request, pk):
    def step(referral, data):
        services.merge_referral(referral=referral, into=data["merged_into"], user=request.user)
        messages.success(request, f"Referral {referral.pk} merged into referral {data['merged_into'].pk}.")

    return _triage(request, pk, MergeForm, step, "scrutiny/step_form.html", lambda r: {"referral": r})


@login_required
def referral_decline(request, pk):
    def step(referral, data):
        services.decline_referral(referral=referral, reason=data["decline_reason"], user=request.user)
        messages.success(request, f"Referral {referral.pk} declined.")

    return _triage(request, pk, DeclineForm, step, "scrutiny/step_form.html", lambda r: {})


@login_required
def referral_outcome(request, pk):
    def step(referral, data):
        services.conclude_referral(
            referral=referral,
            outcome=data["outcome"],
            note=data["outcome_note"],
            clinic=data["clinic"],
            user=request.user,
        )
        messages.success(request, f"Outcome of referral {referral.pk} recorded.")

    return _triage(request, pk, OutcomeForm, step, "scrutiny/step_form.html", lambda r: {"user": request.user})


@login_required
def referral_answer(request, pk):
    """The assigned manager's answer: 404 to those who cannot see the referral, 403 to anyone else."""
    referral = _referral(request, pk)
    if referral.assigned_to_id != request.user.pk:
        raise PermissionDenied("Only the manager this referral is assigned to can answer it.")
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_referral(
                referral=referral,
                answer=form.cleaned_data["answer"],
                files=form.cleaned_data["attachments"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Your answer to referral {referral.pk} has been sent.")
            return redirect(referral)
    return render(request, "scrutiny/step_form.html", {"referral": referral, "form": form, "multipart": True})


@login_required
def referral_attachment(request, pk):
    """A file of an answer, to those who may see its referral (others get 404), as an attachment
    with the type the upload check established."""
    attachment = (
        ReferralAttachment.objects.filter(referral__in=Referral.objects.visible_to(request.user)).filter(pk=pk).first()
    )
    if attachment is None:
        raise Http404("No attachment found.")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer stored.") from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
def work_programme(request):
    """The scrutiny team's page: open referrals by Board meeting, status and age, with the review
    timetable. Everyone sees the referrals they may see; the performance team sees them all."""
    today = timezone.localdate()
    form = ProgrammeFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    context = {
        "form": form,
        "programme": pages.programme(request.user, today, status=status),
        "timetable": pages.timetable(request.user, today),
        "today": today,
    }
    return render(request, "scrutiny/programme.html", context)


@login_required
def meeting_list(request):
    """The review timetable: the Board meetings, their papers deadlines and how many referrals feed each."""
    context = {
        "meetings": pages.meetings_with_counts(request.user),
        "editable": set(BoardMeeting.objects.editable_by(request.user).values_list("pk", flat=True)),
        "can_add": is_admin(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "scrutiny/meeting_list.html", context)


@login_required
def meeting_detail(request, pk):
    """What to report back to one Board meeting: the outcome of each referral feeding it."""
    meeting = get_visible_or_404(BoardMeeting.objects.select_related("org_unit"), request.user, pk=pk)
    referrals = list(Referral.objects.visible_to(request.user).filter(meeting=meeting).for_listing())
    context = {
        "meeting": meeting,
        "concluded": [r for r in referrals if r.status == rules.CONCLUDED],
        "answered": [r for r in referrals if r.status == rules.ANSWERED],
        "pending": [r for r in referrals if r.status in (rules.RAISED, rules.ACCEPTED)],
        "closed": [r for r in referrals if r.status in (rules.MERGED, rules.DECLINED)],
        "can_edit": can_edit(request.user, meeting),
    }
    return render(request, "scrutiny/meeting_detail.html", context)


def _meeting_form(request, meeting):
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_meeting(meeting=form.instance, user=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved {saved}.")
            return redirect("board-meeting-list")
    return render(request, "scrutiny/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_create(request):
    require_admin(request.user)
    return _meeting_form(request, None)


@login_required
def meeting_edit(request, pk):
    meeting = get_editable_or_403(BoardMeeting.objects.all(), request.user, pk=pk)
    return _meeting_form(request, meeting)


@login_required
def clinic_list(request):
    clinics = list(
        PerformanceClinic.objects.visible_to(request.user)
        .select_related("org_unit", "lead")
        .order_by("-held_on", "-pk")[: pages.CLINICS_SHOWN]
    )
    return render(request, "scrutiny/clinic_list.html", {"clinics": clinics, "can_add": can_plan(request.user)})


@login_required
def clinic_detail(request, pk):
    user = request.user
    clinic = get_visible_or_404(PerformanceClinic.objects.select_related("org_unit", "lead"), user, pk=pk)
    context = pages.clinic_page(clinic, user)
    return render(request, "scrutiny/clinic_detail.html", context)


def _clinic_form(request, clinic):
    initial = {}
    if clinic is None and (referral_id := id_from(request.GET, "referral")):
        found = Referral.objects.visible_to(request.user).filter(pk=referral_id).select_related("org_unit").first()
        if found is not None:
            initial = {"referral_ids": str(found.pk), "org_unit": found.org_unit_id, "lead": request.user.pk}
    form = ClinicForm(request.POST or None, instance=clinic, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_clinic(
                clinic=form.instance,
                attendees=data["attendees"],
                indicators=data["indicator_codes"],
                actions=data["action_codes"],
                referrals=data["referral_ids"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved the clinic record “{saved.topic}”.")
            return redirect(saved)
    return render(request, "scrutiny/clinic_form.html", {"form": form, "clinic": clinic})


@login_required
def clinic_create(request):
    require_planner(request.user, "Only managers and the performance team record performance clinics.")
    return _clinic_form(request, None)


@login_required
def clinic_edit(request, pk):
    clinic = get_editable_or_403(PerformanceClinic.objects.all(), request.user, pk=pk)
    return _clinic_form(request, clinic)


@login_required
def clinic_action_create(request, pk):
    """A plan action agreed at the clinic, under an objective the person may add to."""
    require_planner(request.user, "Only managers and the performance team add actions to plans.")
    clinic = get_editable_or_403(PerformanceClinic.objects.select_related("org_unit"), request.user, pk=pk)
    form = ClinicActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.create_clinic_action(
                clinic=clinic,
                objective=data["objective"],
                code=data["code"],
                title=data["title"],
                due_date=data["due_date"],
                assigned_to=data["assigned_to"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc, {"parent": "objective", "kind": "objective"})
        else:
            messages.success(request, f"Created action {action.code}, agreed at this clinic.")
            return redirect(clinic)
    return render(request, "scrutiny/clinic_action_form.html", {"form": form, "clinic": clinic})
