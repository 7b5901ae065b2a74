from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pmf import firstlook
from pmf.access import can_edit, get_editable_or_403, get_visible_or_404, is_admin, require_admin, unit_subtree_q
from pmf.auth import LoginForm, send_set_password_link
from pmf.forms import OrgUnitForm, PersonFilterForm, PersonInviteForm
from pmf.history import history_entries
from pmf.models import OrgUnit, User
from pmf.registry import MY_WORK

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    """What each person sees first: a Board member (viewer) the briefing of the editions shared with
    them; everyone else My work, headed by what waits for them (approvals, their area's scorecards,
    who has not updated yet; for the performance team, the month at a glance)."""
    user = request.user
    if user.role == User.Role.VIEWER and not is_admin(user):
        context = {"briefs": firstlook.briefing(user), "sections": firstlook.briefing_sections(user)}
        return render(request, "pmf/briefing.html", context)
    sections = [{"section": section, "items": section.items(user)} for section in MY_WORK]
    context = {"sections": sections, "waiting": firstlook.waiting_for(user, timezone.localdate())}
    if is_admin(user):
        context["glance"] = firstlook.month_at_a_glance(user, timezone.localdate())
    return render(request, "pmf/home.html", context)


@login_required
def orgunit_list(request):
    units = (
        OrgUnit.objects.visible_to(request.user)
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("tree_id", "lft")
    )
    return render(request, "pmf/orgunit_list.html", {"units": units})


@login_required
def orgunit_detail(request, pk):
    unit = get_visible_or_404(OrgUnit.objects.all(), request.user, pk=pk)
    context = {
        "unit": unit,
        "ancestors": unit.get_ancestors(),
        "children": unit.get_children().annotate(member_count=Count("members")),
        "members": unit.members.filter(is_active=True).select_related("line_manager"),
        "can_edit": can_edit(request.user, unit),
    }
    return render(request, "pmf/orgunit_detail.html", context)


@login_required
def orgunit_edit(request, pk):
    unit = get_editable_or_403(OrgUnit.objects.all(), request.user, pk=pk)
    # A unit may move only within what the editor manages, and never under itself.
    parent_choices = (
        OrgUnit.objects.editable_by(request.user)
        .exclude(tree_id=unit.tree_id, lft__gte=unit.lft, rght__lte=unit.rght)
        .order_by("tree_id", "lft")
    )
    form = OrgUnitForm(request.POST or None, instance=unit, parent_choices=parent_choices)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved changes to {unit.name}.")
        return redirect(unit)
    return render(request, "pmf/orgunit_form.html", {"unit": unit, "form": form})


@login_required
def person_list(request):
    units = OrgUnit.objects.visible_to(request.user).order_by("tree_id", "lft")
    form = PersonFilterForm(request.GET or None, units=units)
    people = User.objects.visible_to(request.user).filter(is_active=True).select_related("org_unit", "line_manager")
    if form.is_valid():
        if text := form.cleaned_data["q"]:
            people = people.filter(Q(name__icontains=text) | Q(email__icontains=text) | Q(job_title__icontains=text))
        if role := form.cleaned_data["role"]:
            people = people.filter(role=role)
        if unit := form.cleaned_data["unit"]:
            people = people.filter(unit_subtree_q(unit, "org_unit"))
    page = Paginator(people.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pmf/person_list.html", {"form": form, "page": page})


@login_required
def person_detail(request, pk):
    person = get_visible_or_404(User.objects.select_related("org_unit", "line_manager"), request.user, pk=pk)
    reports = person.direct_reports.filter(is_active=True).select_related("org_unit")
    context = {
        "person": person,
        "reports": reports,
        "can_see_history": User.objects.history_visible_to(request.user).filter(pk=person.pk).exists(),
        "can_send_link": User.objects.editable_by(request.user).filter(pk=person.pk).exists(),
    }
    return render(request, "pmf/person_detail.html", context)


@login_required
def person_invite(request):
    """An admin adds a person in their scope; the person is e-mailed a link to choose a password."""
    require_admin(request.user)
    form = PersonInviteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save(commit=False)
            person.set_unusable_password()
            person.save()
        send_set_password_link(user=person, request=request)
        messages.success(request, f"{person.name} added; a link to choose a password was sent to {person.email}.")
        return redirect(person)
    return render(request, "pmf/person_invite.html", {"form": form})


@login_required
@require_POST
def person_set_password_link(request, pk):
    """An admin over PK's unit e-mails them a fresh link to choose a password (for a new person, or
    one locked out), instead of typing a password for them."""
    person = get_editable_or_403(User.objects, request.user, pk=pk)
    if not person.is_active or not person.email:
        messages.error(request, f"{person.name} has no active account with an e-mail address to send a link to.")
    else:
        send_set_password_link(user=person, request=request)
        messages.success(request, f"A link to choose a password was sent to {person.email}.")
    return redirect(person)


@login_required
def history(request, model_label, pk):
    """The audit trail of one object, for anyone who may see the object."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404("No such kind of record.") from None
    if not hasattr(model, "history") or not hasattr(model._default_manager.all(), "visible_to"):
        raise Http404("That kind of record has no history.")
    queryset = model._default_manager.all()
    if hasattr(queryset, "history_visible_to"):
        queryset = queryset.history_visible_to(request.user)
    obj = get_visible_or_404(queryset, request.user, pk=pk)
    records = obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    # Compare each shown record with the one before it, including the first of the next page.
    shown = list(records[page.start_index() - 1 : page.end_index() + 1]) if page.object_list else []
    entries = history_entries(shown)[: len(page.object_list)]
    return render(
        request,
        "pmf/history.html",
        {"object": obj, "model_name": model._meta.verbose_name, "entries": entries, "page": page},
    )


@require_GET
@never_cache
def health(request):
    """For load balancers and monitoring: the database and cache answer; no data is shown."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not healthy"; the type is enough to report
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("health-check", "ok", 5)
        checks["cache"] = "ok" if cache.get("health-check") == "ok" else "error: value not kept"
    except Exception as exc:
        checks["cache"] = f"error: {type(exc).__name__}"
    checks["tasks"] = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "broker"
    healthy = all(not str(value).startswith("error") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
