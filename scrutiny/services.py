"""Writes of the scrutiny module: the referral workflow, Board meetings and performance clinics.

Every step of a referral goes through `_step`, which asks scrutiny/rules.py whether the step is
allowed from the referral's status, and saves one history row naming the step (who and when come
from the history's user and date). Every service is atomic: a refusal saves nothing.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.evidence import check_upload
from cycle.models import Notification
from plans import services as plan_services
from plans.models import PlanItem
from pmf.access import is_admin
from scrutiny import rules, subjects
from scrutiny.models import BoardMeeting, PerformanceClinic, Referral, ReferralAttachment

ASSIGNED = "referral_assigned"
ANSWERED = "referral_answered"
MAX_ATTACHMENTS = 5


def _plain(errors: dict, **fields) -> None:
    """Add to ERRORS a message for each of FIELDS (name=text) holding markup."""
    for name, text in fields.items():
        if message := rules.markup_error(text):
            errors[name] = message


def _step(referral: Referral, action: str, user) -> None:
    """Move REFERRAL by ACTION (TransitionError -> ValidationError) and stamp the history row."""
    try:
        referral.status = rules.next_status(referral.status, action)
    except rules.TransitionError as exc:
        raise ValidationError({"status": str(exc)}) from None
    referral._change_reason = rules.ACTION_LABELS[action]
    referral._history_user = user


def _locked(referral: Referral) -> Referral:
    """REFERRAL read again under a row lock, so two people cannot take the same step at once."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _notify(referral: Referral, kind: str, title: str, recipients, today: datetime.date) -> None:
    """One notification per recipient for this step of REFERRAL (its unique key makes it once only);
    they show in the recipients' notifications at once and go out in their next daily e-mail digest."""
    url = reverse("referral-detail", kwargs={"pk": referral.pk})
    rows = [
        Notification(
            recipient_id=person.pk,
            kind=kind,
            key=f"{kind}:{referral.pk}:{person.pk}",
            title=title[:300],
            detail=referral.question[:500],
            url=url,
            model="scrutiny.referral",
            object_id=referral.pk,
            due=referral.due_on,
            day=today,
        )
        for person in {person.pk: person for person in recipients if person is not None and person.is_active}.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def raise_referral(*, kind: str, subject_id: int, question: str, meeting: BoardMeeting | None, user) -> Referral:
    """Raise a referral by USER on the PI, scorecard section or action of KIND with SUBJECT_ID.

    Refused (ValidationError naming the field) when USER may not see the subject, the question is
    empty or holds markup, or the meeting has already taken place.
    Side effects: the Referral (status raised) with one history row."""
    today = timezone.localdate()
    errors = {}
    if kind not in subjects.KINDS:
        raise ValidationError({"subject": "Choose a PI, a scorecard section or an action to refer."})
    subject = subjects.referable(kind, user).filter(pk=subject_id).first()
    if subject is None:
        errors["subject"] = f"You cannot see that {subjects.KIND_LABELS[kind]}, so you cannot refer it."
    if not question.strip():
        errors["question"] = "Write the question you want the service to answer."
    _plain(errors, question=question)
    if meeting is not None and meeting.date < today:
        errors["meeting"] = f"{meeting} has already taken place; choose a meeting still to come."
    if errors:
        raise ValidationError(errors)
    if kind == "section":
        subject = subjects.subject_of(kind, subject.pk)
    referral = Referral(
        **{kind: subject},
        org_unit=subjects.subject_unit(subject),
        question=question.strip(),
        raised_by=user,
        raised_on=today,
        meeting=meeting,
    )
    referral._change_reason = "Raised"
    referral._history_user = user
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def accept_referral(*, referral: Referral, assigned_to, due_on: datetime.date | None, user) -> Referral:
    """Accept REFERRAL and assign it to the service manager ASSIGNED_TO, answer due DUE_ON.

    Refused when the step is not allowed, nobody (or someone who cannot write) is assigned, or the
    due date is missing or in the past. Side effects: the referral saved (history row "Accepted and
    assigned"); a notification to the manager and to the referrer."""
    referral = _locked(referral)
    today = timezone.localdate()
    _step(referral, rules.ACCEPT, user)
    errors = {}
    if assigned_to is None:
        errors["assigned_to"] = "Choose the service manager who will answer."
    elif assigned_to.role not in ("manager", "admin") or not assigned_to.is_active:
        errors["assigned_to"] = f"{assigned_to.name} is not an active manager; assign a service manager."
    if message := rules.due_date_error(due_on, today):
        errors["due_on"] = message
    if errors:
        raise ValidationError(errors)
    referral.assigned_to = assigned_to
    referral.due_on = due_on
    referral.triaged_by = user
    referral.triaged_on = today
    referral.save()
    _notify(
        referral,
        ASSIGNED,
        f"Referral to answer by {due_on:%-d %b %Y}: {referral.subject_label}",
        [assigned_to],
        today,
    )
    _notify(
        referral,
        ASSIGNED,
        f"Your referral on {referral.subject_label} was accepted; {assigned_to.name} answers by {due_on:%-d %b %Y}",
        [referral.raised_by],
        today,
    )
    return referral


@transaction.atomic
def merge_referral(*, referral: Referral, into: Referral | None, user) -> Referral:
    """Merge REFERRAL into INTO, another open referral, whose answer then serves both.

    Side effects: the referral saved (history row "Merged")."""
    referral = _locked(referral)
    _step(referral, rules.MERGE, user)
    if into is None:
        raise ValidationError({"merged_into": "Choose the open referral to merge this one into."})
    if into.pk == referral.pk:
        raise ValidationError({"merged_into": "A referral cannot be merged into itself."})
    if into.status not in rules.OPEN:
        raise ValidationError(
            {"merged_into": f"Referral {into.pk} is {into.get_status_display().lower()}; merge into an open one."}
        )
    referral.merged_into = into
    referral.triaged_by = user
    referral.triaged_on = timezone.localdate()
    referral.save()
    return referral


@transaction.atomic
def decline_referral(*, referral: Referral, reason: str, user) -> Referral:
    """Decline REFERRAL with REASON (required, plain text). Side effects: history row "Declined"."""
    referral = _locked(referral)
    _step(referral, rules.DECLINE, user)
    errors = {}
    if not reason.strip():
        errors["decline_reason"] = "Give the reason for declining; the referrer reads it."
    _plain(errors, decline_reason=reason)
    if errors:
        raise ValidationError(errors)
    referral.decline_reason = reason.strip()
    referral.triaged_by = user
    referral.triaged_on = timezone.localdate()
    referral.save()
    return referral


@transaction.atomic
def answer_referral(*, referral: Referral, answer: str, files: list, user) -> Referral:
    """The assigned manager USER answers REFERRAL with ANSWER and up to MAX_ATTACHMENTS FILES.

    Refused when USER is not the manager it is assigned to, the answer is empty or holds markup, or a
    file fails the upload rule (assessments.evidence: type, size, content). Side effects: the
    referral saved (history row "Answered"), one ReferralAttachment per file, a notification to
    the referrer (and the referrers of those merged into it) and to the person who accepted it."""
    referral = _locked(referral)
    if referral.assigned_to_id != user.pk:
        raise ValidationError({"answer": "Only the manager this referral is assigned to can answer it."})
    _step(referral, rules.ANSWER, user)
    errors = {}
    if not answer.strip():
        errors["answer"] = "Write the answer to the question."
    _plain(errors, answer=answer)
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = f"Attach at most {MAX_ATTACHMENTS} files."
    file_types = []
    for upload in files:
        try:
            file_types.append(check_upload(upload, upload.name))
        except ValidationError as exc:
            errors["attachments"] = exc.messages[0]
            break
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    referral.answer = answer.strip()
    referral.answered_by = user
    referral.answered_on = today
    referral.save()
    for upload, file_type in zip(files, file_types, strict=True):
        ReferralAttachment.objects.create(
            referral=referral,
            file=upload,
            original_name=upload.name,
            content_type=file_type.content_type,
            size=upload.size,
            uploaded_by=user,
        )
    referrers = [referral.raised_by, *(merged.raised_by for merged in referral.merged.select_related("raised_by"))]
    _notify(
        referral,
        ANSWERED,
        f"Your referral on {referral.subject_label} has been answered by {user.name}",
        referrers,
        today,
    )
    _notify(
        referral,
        ANSWERED,
        f"Referral answered, ready for its outcome: {referral.subject_label}",
        [referral.triaged_by],
        today,
    )
    return referral


@transaction.atomic
def conclude_referral(
    *, referral: Referral, outcome: str, note: str, clinic: PerformanceClinic | None, user
) -> Referral:
    """Record the performance team's OUTCOME of the answered REFERRAL (with NOTE), linking CLINIC
    when the outcome is a performance clinic. Side effects: history row "Outcome recorded"."""
    referral = _locked(referral)
    _step(referral, rules.CONCLUDE, user)
    errors = {}
    if outcome not in rules.OUTCOME_LABELS:
        errors["outcome"] = "Choose the outcome."
    _plain(errors, outcome_note=note)
    if outcome == rules.OUTCOME_CLINIC and clinic is None:
        errors["clinic"] = "Choose the performance clinic this referral goes to (create it first if needed)."
    if outcome != rules.OUTCOME_CLINIC and clinic is not None:
        errors["clinic"] = "Only a referral whose outcome is a performance clinic is linked to a clinic."
    if errors:
        raise ValidationError(errors)
    referral.outcome = outcome
    referral.outcome_note = note.strip()
    referral.outcome_by = user
    referral.outcome_on = timezone.localdate()
    referral.clinic = clinic
    referral.save()
    return referral


@transaction.atomic
def save_meeting(*, meeting: BoardMeeting, user) -> BoardMeeting:
    """Create or change a Board meeting of the review timetable (admins only).
    Side effects: one history row."""
    if not is_admin(user):
        raise ValidationError("Only the performance team sets the Board timetable.")
    errors = {}
    if meeting.date and meeting.papers_deadline and meeting.papers_deadline > meeting.date:
        errors["papers_deadline"] = "The papers deadline must fall on or before the meeting date."
    _plain(errors, title=meeting.title, notes=meeting.notes)
    if errors:
        raise ValidationError(errors)
    meeting.full_clean()
    meeting._history_user = user
    meeting.save()
    return meeting


@transaction.atomic
def save_clinic(*, clinic: PerformanceClinic, attendees, indicators, actions, referrals, user) -> PerformanceClinic:
    """Create or change a performance clinic's record with its staff ATTENDEES, linked INDICATORS,
    ACTIONS and REFERRALS (already checked as visible to USER by the form).

    Refused when a text holds markup. Side effects: the clinic (history row), its links replaced,
    the referrals given link to it (those no longer given are unlinked unless their outcome is a
    clinic, which keeps its link)."""
    errors = {}
    _plain(
        errors,
        topic=clinic.topic,
        other_attendees=clinic.other_attendees,
        notes=clinic.notes,
        outcomes=clinic.outcomes,
    )
    if errors:
        raise ValidationError(errors)
    clinic.full_clean()
    clinic._history_user = user
    clinic.save()
    clinic.attendees.set(attendees)
    clinic.indicators.set(indicators)
    clinic.actions.set(actions)
    chosen = [referral.pk for referral in referrals]
    clinic.referrals.exclude(pk__in=chosen).exclude(outcome=rules.OUTCOME_CLINIC).update(clinic=None)
    Referral.objects.filter(pk__in=chosen).update(clinic=clinic)
    return clinic


@transaction.atomic
def create_clinic_action(
    *,
    clinic: PerformanceClinic,
    objective: PlanItem,
    code: str,
    title: str,
    due_date: datetime.date | None,
    assigned_to,
    user,
) -> PlanItem:
    """A plan action agreed at CLINIC, under OBJECTIVE, in the clinic's unit, managed by USER and
    assigned to ASSIGNED_TO.

    Refused (ValidationError naming the field) when OBJECTIVE is not an objective or a plan rule
    fails (e.g. the code is taken). Side effects: the PlanItem through the plans service (history
    row, derived progress and status of its chain refreshed); linked to the clinic as agreed there."""
    if objective.kind != PlanItem.Kind.OBJECTIVE:
        raise ValidationError({"objective": f"{objective.code} is not an objective; choose the objective it serves."})
    errors = {}
    _plain(errors, title=title)
    if errors:
        raise ValidationError(errors)
    action = PlanItem(
        kind=PlanItem.Kind.ACTION,
        parent=objective,
        code=code,
        title=title,
        org_unit=clinic.org_unit,
        managed_by=user,
        assigned_to=assigned_to,
        due_date=due_date,
        description=f"Agreed at the performance clinic “{clinic.topic}” on {clinic.held_on:%-d %B %Y}.",
    )
    plan_services.save_item(item=action)
    clinic.created_actions.add(action)
    return action
