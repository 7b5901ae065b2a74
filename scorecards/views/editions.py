"""Edition pages: the monthly issues of a scorecard, issuing one, and an edition as issued."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pmf import periods
from pmf.access import get_editable_or_403, get_visible_or_404
from scorecards import pages, services
from scorecards.forms import PeriodForm
from scorecards.models import Scorecard, ScorecardEdition


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
            "form": PeriodForm(initial={"period": periods.last_complete_month(timezone.localdate())}),
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
    page = pages.edition_page(edition)
    return render(
        request,
        "scorecards/edition_detail.html",
        {"edition": edition, "scorecard": edition.scorecard, "sections": page.sections, "restated": page.restated},
    )
