"""Scorecard pages: the list, the live scorecard of a month with its charts and signposts,
arranging sections and PIs, the change history and the module's settings."""

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from indicators import charts
from indicators.models import Indicator, Measurement
from pmf import periods
from pmf.access import can_write, get_editable_or_403, get_visible_or_404, require_admin, require_writer
from pmf.forms import id_from
from pmf.models import OrgUnit
from scorecards import audit, pages, services
from scorecards import status as sc_rules
from scorecards.forms import AddPisForm, PeriodForm, ScorecardForm, SectionForm, SettingsForm
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection, ScorecardSettings

CHART_PERIODS = 36


def _period(request) -> datetime.date:
    """The month asked for (?period=YYYY-MM) when it is one a page may show, else the last complete month."""
    asked = sc_rules.parse_period(request.GET.get("period"))
    if asked is None or periods.period_error(asked):
        return periods.last_complete_month(timezone.localdate())
    return asked


@login_required
def scorecard_list(request):
    scorecards = (
        Scorecard.objects.visible_to(request.user)
        .select_related("org_unit")
        .annotate(pis=Count("entries", distinct=True))
        .order_by("title")
    )
    can_create = can_write(request.user) and OrgUnit.objects.editable_by(request.user).exists()
    return render(request, "scorecards/scorecard_list.html", {"scorecards": scorecards, "can_create": can_create})


@login_required
def scorecard_create(request):
    require_writer(request.user)
    if not OrgUnit.objects.editable_by(request.user).exists():
        raise PermissionDenied("You manage no unit to make a scorecard for.")
    form = ScorecardForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        scorecard = form.save(commit=False)
        scorecard.owner = request.user
        scorecard.save()
        form.save_m2m()
        messages.success(request, "Scorecard created. Add its sections and PIs.")
        return redirect("scorecard-arrange", pk=scorecard.pk)
    return render(request, "scorecards/scorecard_form.html", {"form": form, "title": "New scorecard"})


@login_required
def scorecard_edit(request, pk):
    scorecard = get_editable_or_403(Scorecard.objects, request.user, pk=pk)
    form = ScorecardForm(request.POST or None, instance=scorecard, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Scorecard saved.")
        return redirect(scorecard)
    return render(
        request,
        "scorecards/scorecard_form.html",
        {"form": form, "title": f"Edit {scorecard.title}", "scorecard": scorecard},
    )


@login_required
def scorecard_detail(request, pk):
    scorecard = get_visible_or_404(Scorecard.objects.select_related("org_unit"), request.user, pk=pk)
    period = _period(request)
    page = pages.scorecard_page(scorecard, period)
    return render(
        request,
        "scorecards/scorecard_detail.html",
        {
            "scorecard": scorecard,
            "sections": page.sections,
            "edition": page.edition,
            "restated": page.restated,
            "overview": page.overview,
            "period": period,
            "period_label": periods.month_label(period),
            "last_year_label": periods.month_label(periods.add_months(period, -12)),
            "form": PeriodForm(initial={"period": period}),
            "can_edit": Scorecard.objects.editable_by(request.user).filter(pk=pk).exists(),
            # A scorecard shared with someone shows them its figures; its links lead only to PIs they may open.
            "openable": set(
                Indicator.objects.visible_to(request.user)
                .filter(pk__in=[ind.pk for ind in page.layout.indicators])
                .values_list("pk", flat=True)
            ),
            "previous_period": periods.add_months(period, -1),
            "next_period": periods.add_months(period, 1),
        },
    )


@login_required
def scorecard_chart(request, pk, indicator_pk):
    scorecard = get_visible_or_404(Scorecard.objects, request.user, pk=pk)
    entry = (
        ScorecardEntry.objects.select_related("indicator")
        .filter(scorecard=scorecard, indicator_id=indicator_pk)
        .first()
    )
    if entry is None:
        raise Http404("That PI is not on this scorecard.")
    measurements = list(
        Measurement.objects.filter(indicator=entry.indicator, period__lte=_period(request)).order_by("-period")[
            :CHART_PERIODS
        ]
    )[::-1]
    return render(
        request,
        "scorecards/scorecard_detail.html#pi_chart",
        {
            "indicator": entry.indicator,
            "figure_json": json.dumps(charts.value_target_figure(entry.indicator, measurements)),
            "measurements": measurements,
            "chart_id": f"chart-{entry.indicator.pk}-data",
        },
    )


@login_required
def scorecard_signposts(request, pk):
    scorecard = get_visible_or_404(Scorecard.objects.select_related("org_unit"), request.user, pk=pk)
    period = _period(request)
    return render(
        request,
        "scorecards/signposts.html",
        {
            "title": scorecard.title,
            "period_label": periods.month_label(period),
            "sections": pages.signpost_sections(scorecard, period),
            "director_commentary": scorecard.director_commentary,
            "back_url": scorecard.get_absolute_url(),
            "form": PeriodForm(initial={"period": period}),
            "public": False,
        },
    )


@login_required
def scorecard_arrange(request, pk):
    scorecard = get_editable_or_403(Scorecard.objects, request.user, pk=pk)
    if request.method == "POST":
        _arrange_action(request, scorecard)
        if request.headers.get("HX-Request"):
            return _arrange_response(request, scorecard, partial=True)
        return redirect("scorecard-arrange", pk=scorecard.pk)
    return _arrange_response(request, scorecard, partial=False)


def _arrange_response(request, scorecard, *, partial: bool):
    layout = services.load_layout(scorecard)
    context = {
        "scorecard": scorecard,
        "layout": layout,
        "section_form": SectionForm(prefix="new"),
        "add_form": AddPisForm(user=request.user),
    }
    template = "scorecards/scorecard_arrange.html" + ("#sections" if partial else "")
    return render(request, template, context)


def _arrange_action(request, scorecard: Scorecard) -> None:
    action = request.POST.get("action", "")
    sections = ScorecardSection.objects.filter(scorecard=scorecard)
    entries = ScorecardEntry.objects.filter(scorecard=scorecard)

    def section():
        found = sections.filter(pk=id_from(request.POST, "section")).first()
        if found is None:
            raise Http404("No such section on this scorecard.")
        return found

    def entry():
        found = entries.filter(pk=id_from(request.POST, "entry")).select_related("section").first()
        if found is None:
            raise Http404("No such PI on this scorecard.")
        return found

    if action == "add-section":
        form = SectionForm(request.POST, prefix="new")
        if form.is_valid():
            services.add_section(
                scorecard=scorecard,
                title=form.cleaned_data["title"],
                commentary=form.cleaned_data["commentary"],
                commentary_internal=form.cleaned_data["commentary_internal"],
            )
            messages.success(request, f"Section “{form.cleaned_data['title']}” added.")
        else:
            messages.error(request, "Section title: " + "; ".join(form.errors.get("title", ["check the entry."])))
    elif action in ("section-up", "section-down"):
        services.move_section(section=section(), step=-1 if action == "section-up" else 1)
    elif action == "section-save":
        target = section()
        form = SectionForm(request.POST, instance=target, prefix=f"s{target.pk}")
        if form.is_valid():
            form.save()
            messages.success(request, f"Section “{target.title}” saved.")
        else:
            messages.error(request, f"Section “{target.title}”: title is required.")
    elif action == "section-remove":
        target = section()
        services.remove_section(section=target)
        messages.success(request, f"Section “{target.title}” removed.")
    elif action == "add-pis":
        target = section()
        form = AddPisForm(request.POST, user=request.user, unit=scorecard.org_unit)
        if form.is_valid():
            added = services.add_entries(
                section=target, indicators=form.cleaned_data["codes"], signpost=form.cleaned_data["signpost"]
            )
            messages.success(request, f"{added} PI{'s' if added != 1 else ''} added to “{target.title}”.")
        else:
            messages.error(request, f"PI codes for “{target.title}”: " + " ".join(form.errors.get("codes", [])))
    elif action in ("entry-up", "entry-down"):
        services.move_entry(entry=entry(), step=-1 if action == "entry-up" else 1)
    elif action == "entry-remove":
        services.remove_entry(entry=entry())
    elif action == "entry-flags":
        target = entry()
        target.signpost = request.POST.get("signpost") == "on"
        target.public = request.POST.get("public") == "on"
        target.plain_title = request.POST.get("plain_title", "").strip()[:300]
        target.save()
    else:
        messages.error(request, "Unknown change.")


@login_required
def scorecard_changes(request, pk):
    scorecard = get_visible_or_404(Scorecard.objects, request.user, pk=pk)
    return render(
        request,
        "scorecards/scorecard_changes.html",
        {"scorecard": scorecard, "changes": audit.scorecard_changes(scorecard)},
    )


@login_required
def scorecard_settings(request):
    require_admin(request.user)
    form = SettingsForm(request.POST or None, instance=ScorecardSettings.load())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Scorecard settings saved.")
        return redirect("scorecard-settings")
    return render(request, "scorecards/settings.html", {"form": form})
