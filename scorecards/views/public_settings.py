"""The public pages' settings (the performance team only): the organisation's name, logo and
introduction, and the context of each year's Tenant Satisfaction Measures survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from pmf.access import require_configurer
from scorecards.models import ScorecardSettings, TsmSurvey
from scorecards.public_forms import PublicIdentityForm, TsmSurveyForm


@login_required
def public_settings(request):
    require_configurer(request.user)
    form = PublicIdentityForm(request.POST or None, request.FILES or None, instance=ScorecardSettings.load())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, "Public page settings saved.")
        return redirect("public-settings")
    return render(
        request,
        "scorecards/public_settings.html",
        {"form": form, "identity": form.instance, "surveys": list(TsmSurvey.objects.order_by("-year"))},
    )


def _survey_form(request, survey: TsmSurvey | None):
    require_configurer(request.user)
    form = TsmSurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
        messages.success(request, f"{saved} saved.")
        return redirect("public-settings")
    return render(request, "scorecards/tsm_survey_form.html", {"form": form, "survey": survey})


@login_required
def tsm_survey_create(request):
    return _survey_form(request, None)


@login_required
def tsm_survey_edit(request, pk):
    require_configurer(request.user)
    return _survey_form(request, get_object_or_404(TsmSurvey, pk=pk))
