"""Public pages (no sign-in): the published scorecards, each as its last issued edition, its
signposts and its figures as open data, with the organisation's name, logo and introduction."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scorecards import charts, downloads, publishing
from scorecards.models import Scorecard, ScorecardEdition, ScorecardSettings


def _published(slug) -> tuple[Scorecard, ScorecardEdition]:
    scorecard = Scorecard.objects.published().filter(public_slug=slug).first()
    edition = scorecard.editions.order_by("-period").first() if scorecard else None
    if edition is None:
        raise Http404("Nothing is published here.")
    return scorecard, edition


def public_index(request):
    published = list(Scorecard.objects.published().order_by("title"))
    latest = {}
    for edition in ScorecardEdition.objects.filter(scorecard__in=published).order_by("scorecard_id", "-period"):
        latest.setdefault(edition.scorecard_id, edition)
    items = [(scorecard, latest[scorecard.pk]) for scorecard in published if scorecard.pk in latest]
    return render(request, "scorecards/public_index.html", {"items": items, "identity": publishing.identity()})


def public_scorecard(request, slug):
    scorecard, edition = _published(slug)
    public = publishing.public_edition(scorecard, edition, signposts_only=False)
    return render(
        request,
        "scorecards/public_scorecard.html",
        {
            "public": public,
            "sections": public.sections,
            "scorecard": scorecard,
            "edition": edition,
            "identity": public.identity,
            "definitions": publishing.definitions(),
            "overview": charts.status_bars_svg(public.sections),
        },
    )


def public_signposts(request, slug):
    scorecard, edition = _published(slug)
    public = publishing.public_edition(scorecard, edition, signposts_only=True)
    return render(
        request,
        "scorecards/public_signposts.html",
        {
            "public": public,
            "scorecard": scorecard,
            "edition": edition,
            "identity": public.identity,
            "definitions": publishing.definitions(),
        },
    )


def public_data(request, slug, fmt):
    if fmt not in ("csv", "json"):
        raise Http404("Downloads are CSV or JSON.")
    scorecard, edition = _published(slug)
    return downloads.open_data(request, publishing.public_edition(scorecard, edition, signposts_only=False), fmt)


@require_GET
def public_data_schema(request):
    """The JSON Schema of the JSON downloads, at a stable address."""
    response = HttpResponse(downloads.schema_text(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def public_logo(request):
    """The organisation's logo as uploaded (checked as a PNG or JPEG image when it was saved)."""
    identity = ScorecardSettings.load()
    if not identity.public_logo:
        raise Http404("No logo has been set.")
    response = HttpResponse(bytes(identity.public_logo), content_type=identity.public_logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "public, max-age=3600"
    return response
