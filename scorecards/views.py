import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from indicators.models import Indicator, Measurement
from pmf import periods
from pmf.access import can_write, get_editable_or_403, get_visible_or_404, require_admin, require_writer
from pmf.models import OrgUnit
from scorecards import audit, charts, figures, services
from scorecards import status as sc_rules
from scorecards.forms import AddPisForm, PeriodForm, ScorecardForm, SectionForm, SettingsForm, SnapshotForm
from scorecards.models import (
    EditionRow,
    Scorecard,
    ScorecardEdition,
    ScorecardEntry,
    ScorecardSection,
    ScorecardSettings,
    Snapshot,
)


def _period(request, default: datetime.date | None) -> datetime.date | None:
    return sc_rules.parse_period(request.GET.get("period")) or default


# Snapshots -------------------------------------------------------------------------------------


@login_required
def snapshot_list(request):
    snapshots = list(Snapshot.objects.visible_to(request.user).select_related("owner", "org_unit"))
    mine = [s for s in snapshots if s.owner_id == request.user.pk]
    others = [s for s in snapshots if s.owner_id != request.user.pk]
    can_create = can_write(request.user)
    return render(request, "scorecards/snapshot_list.html", {"mine": mine, "others": others, "can_create": can_create})


def _render_snapshot(request, snapshot: Snapshot, *, can_edit: bool):
    indicators, hidden = services.snapshot_indicators(snapshot, request.user)
    period = snapshot.period
    rows = figures.live_rows(indicators, period, benchmarks=False)
    ordered = [(indicator, rows[indicator.pk]) for indicator in indicators]
    actions, actions_total = services.snapshot_actions(snapshot, request.user)
    return render(
        request,
        "scorecards/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "actions": actions,
            "actions_total": actions_total,
            "rows": ordered,
            "hidden": hidden,
            "columns": snapshot.column_list,
            "counts": sc_rules.status_counts(row.status for _, row in ordered),
            "can_edit": can_edit,
            "period": period,
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


# Scorecards ------------------------------------------------------------------------------------


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


def _scorecard_page(scorecard: Scorecard, period: datetime.date) -> dict:
    """Sections, rows, overview and restatements of SCORECARD for PERIOD, in a fixed number of queries."""
    layout = services.load_layout(scorecard)
    rows = figures.live_rows(layout.indicators, period)
    edition = ScorecardEdition.objects.filter(scorecard=scorecard, period=period).first()
    restated = []
    if edition is not None:
        frozen = list(EditionRow.objects.filter(edition=edition))
        found = figures.restatements(edition, frozen)
        for item in frozen:
            if item.pk in found and item.indicator_id in rows:
                rows[item.indicator_id].restatement = found[item.pk]
                restated.append((item, found[item.pk]))
    sections = []
    for section, entries in layout.sections:
        section_rows = []
        for entry in entries:
            row = rows[entry.indicator_id]
            section_rows.append((entry, row))
        sections.append(
            {
                "section": section,
                "rows": section_rows,
                "counts": sc_rules.status_counts(row.status for _, row in section_rows),
            }
        )
    return {
        "layout": layout,
        "sections": sections,
        "edition": edition,
        "restated": restated,
        "overview": charts.overview_figure(sections),
    }


@login_required
def scorecard_detail(request, pk):
    scorecard = get_visible_or_404(Scorecard.objects.select_related("org_unit"), request.user, pk=pk)
    period = _period(request, services.last_complete_period())
    context = _scorecard_page(scorecard, period)
    context.update(
        {
            "scorecard": scorecard,
            "period": period,
            "period_label": periods.month_label(period),
            "last_year_label": periods.month_label(periods.add_months(period, -12)),
            "form": PeriodForm(initial={"period": period}),
            "can_edit": Scorecard.objects.editable_by(request.user).filter(pk=pk).exists(),
            # A scorecard shared with someone shows them its figures; its links lead only to PIs they may open.
            "openable": set(
                Indicator.objects.visible_to(request.user)
                .filter(pk__in=[ind.pk for ind in context["layout"].indicators])
                .values_list("pk", flat=True)
            ),
            "previous_period": periods.add_months(period, -1),
            "next_period": periods.add_months(period, 1),
        }
    )
    return render(request, "scorecards/scorecard_detail.html", context)


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
    period = _period(request, services.last_complete_period())
    measurements = list(
        Measurement.objects.filter(indicator=entry.indicator, period__lte=period).order_by("-period")[:36]
    )[::-1]
    figure = charts.pi_figure(entry.indicator, measurements)
    return render(
        request,
        "scorecards/scorecard_detail.html#pi_chart",
        {
            "indicator": entry.indicator,
            "figure": figure,
            "measurements": measurements,
            "chart_id": f"chart-{entry.indicator.pk}-data",
        },
    )


@login_required
def scorecard_signposts(request, pk):
    scorecard = get_visible_or_404(Scorecard.objects.select_related("org_unit"), request.user, pk=pk)
    period = _period(request, services.last_complete_period())
    layout = services.load_layout(scorecard)
    any_flagged = any(entry.signpost for _, entries in layout.sections for entry in entries)
    rows = figures.live_rows(layout.indicators, period, benchmarks=False)
    sections = []
    for section, entries in layout.sections:
        chosen = [rows[entry.indicator_id] for entry in entries if entry.signpost or not any_flagged]
        if chosen:
            sections.append({"title": section.title, "commentary": section.commentary, "rows": chosen})
    return render(
        request,
        "scorecards/signposts.html",
        {
            "title": scorecard.title,
            "period_label": periods.month_label(period),
            "sections": sections,
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
        found = sections.filter(pk=request.POST.get("section")).first()
        if found is None:
            raise Http404("No such section on this scorecard.")
        return found

    def entry():
        found = entries.filter(pk=request.POST.get("entry")).select_related("section").first()
        if found is None:
            raise Http404("No such PI on this scorecard.")
        return found

    if action == "add-section":
        form = SectionForm(request.POST, prefix="new")
        if form.is_valid():
            services.add_section(
                scorecard=scorecard, title=form.cleaned_data["title"], commentary=form.cleaned_data["commentary"]
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
        form = AddPisForm(request.POST, user=request.user)
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


# Editions --------------------------------------------------------------------------------------


@login_required
def edition_list(request, pk):
    scorecard = get_visible_or_404(Scorecard.objects, request.user, pk=pk)
    editions = list(scorecard.editions.select_related("issued_by").annotate(pis=Count("rows")).order_by("-period"))
    can_issue = Scorecard.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "scorecards/edition_list.html",
        {
            "scorecard": scorecard,
            "editions": editions,
            "can_issue": can_issue,
            "form": PeriodForm(initial={"period": services.last_complete_period()}),
        },
    )


@login_required
@require_POST
def edition_issue(request, pk):
    scorecard = get_editable_or_403(Scorecard.objects, request.user, pk=pk)
    form = PeriodForm(request.POST)
    if not form.is_valid() or form.cleaned_data["period"] is None:
        messages.error(request, "Period: enter the month to issue as YYYY-MM.")
        return redirect("edition-list", pk=scorecard.pk)
    period = form.cleaned_data["period"]
    existed = scorecard.editions.filter(period=period).exists()
    try:
        edition = services.issue_edition(scorecard=scorecard, period=period, user=request.user)
    except services.EditionRefused as refusal:
        messages.error(request, f"Period {periods.month_label(period)}: {refusal}")
        return redirect("edition-list", pk=scorecard.pk)
    if existed:
        messages.info(request, f"The edition for {edition.period_label} was already issued; it is unchanged.")
    else:
        messages.success(request, f"Edition for {edition.period_label} issued.")
    if edition.warnings:
        messages.warning(request, edition.warnings)
    return redirect(edition)


@login_required
def edition_detail(request, pk):
    edition = get_visible_or_404(ScorecardEdition.objects.select_related("scorecard", "issued_by"), request.user, pk=pk)
    sections = list(edition.sections.order_by("order"))
    rows = list(edition.rows.order_by("section__order", "order"))
    found = figures.restatements(edition, rows)
    by_section: dict[int, list] = {section.pk: [] for section in sections}
    for item in rows:
        row = figures.frozen_row(item)
        row.restatement = found.get(item.pk)
        by_section[item.section_id].append(row)
    return render(
        request,
        "scorecards/edition_detail.html",
        {
            "edition": edition,
            "scorecard": edition.scorecard,
            "sections": [
                {
                    "section": s,
                    "rows": by_section[s.pk],
                    "counts": sc_rules.status_counts(r.status for r in by_section[s.pk]),
                }
                for s in sections
            ],
            "restated": [(item, found[item.pk]) for item in rows if item.pk in found],
        },
    )


# Public pages (no sign-in) ---------------------------------------------------------------------


def _published(slug) -> tuple[Scorecard, ScorecardEdition]:
    scorecard = Scorecard.objects.published().filter(public_slug=slug).first()
    edition = scorecard.editions.order_by("-period").first() if scorecard else None
    if edition is None:
        raise Http404("Nothing is published here.")
    return scorecard, edition


def _public_sections(scorecard: Scorecard, edition: ScorecardEdition, *, signposts_only: bool) -> list[dict]:
    sections = list(edition.sections.order_by("order"))
    rows = EditionRow.objects.filter(edition=edition, public=True)
    if signposts_only or scorecard.publication == Scorecard.Publication.SIGNPOSTS:
        rows = rows.filter(signpost=True)
    by_section: dict[int, list] = {section.pk: [] for section in sections}
    for item in rows.order_by("section__order", "order"):
        by_section[item.section_id].append(figures.frozen_row(item))
    return [
        {
            "title": s.title,
            "commentary": "" if s.commentary_internal else s.commentary,
            "rows": by_section[s.pk],
            "counts": sc_rules.status_counts(r.status for r in by_section[s.pk]),
        }
        for s in sections
        if by_section[s.pk]
    ]


def public_index(request):
    published = list(Scorecard.objects.published().order_by("title"))
    latest = {}
    for edition in ScorecardEdition.objects.filter(scorecard__in=published).order_by("scorecard_id", "-period"):
        latest.setdefault(edition.scorecard_id, edition)
    items = [(scorecard, latest[scorecard.pk]) for scorecard in published if scorecard.pk in latest]
    return render(request, "scorecards/public_index.html", {"items": items})


def public_scorecard(request, slug):
    scorecard, edition = _published(slug)
    sections = _public_sections(scorecard, edition, signposts_only=False)
    return render(
        request,
        "scorecards/public_scorecard.html",
        {
            "scorecard": scorecard,
            "edition": edition,
            "sections": sections,
            "title": scorecard.public_title or edition.public_title or edition.title,
            "director_commentary": "" if edition.director_commentary_internal else edition.director_commentary,
            "overview": charts.overview_svg(sections),
        },
    )


def public_signposts(request, slug):
    scorecard, edition = _published(slug)
    sections = _public_sections(scorecard, edition, signposts_only=True)
    return render(
        request,
        "scorecards/signposts.html",
        {
            "title": scorecard.public_title or edition.title,
            "period_label": edition.period_label,
            "sections": sections,
            "public": True,
            "back_url": None,
            "slug": slug,
            "director_commentary": "" if edition.director_commentary_internal else edition.director_commentary,
        },
    )


def public_data(request, slug, fmt):
    if fmt not in ("csv", "json"):
        raise Http404("Downloads are CSV or JSON.")
    scorecard, edition = _published(slug)
    sections = _public_sections(scorecard, edition, signposts_only=False)
    return charts.open_data(scorecard, edition, sections, fmt)


@login_required
def scorecard_settings(request):
    require_admin(request.user)
    form = SettingsForm(request.POST or None, instance=ScorecardSettings.load())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Scorecard settings saved.")
        return redirect("scorecard-settings")
    return render(request, "scorecards/settings.html", {"form": form})
