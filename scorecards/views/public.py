"""Public pages (no sign-in): the published scorecards, each as its last issued edition, its
signposts and its figures as open data."""

from django.http import Http404
from django.shortcuts import render

from scorecards import charts, downloads, pages
from scorecards.models import Scorecard, ScorecardEdition


def _published(slug) -> tuple[Scorecard, ScorecardEdition]:
    scorecard = Scorecard.objects.published().filter(public_slug=slug).first()
    edition = scorecard.editions.order_by("-period").first() if scorecard else None
    if edition is None:
        raise Http404("Nothing is published here.")
    return scorecard, edition


def _director_commentary(edition: ScorecardEdition) -> str:
    return "" if edition.director_commentary_internal else edition.director_commentary


def public_index(request):
    published = list(Scorecard.objects.published().order_by("title"))
    latest = {}
    for edition in ScorecardEdition.objects.filter(scorecard__in=published).order_by("scorecard_id", "-period"):
        latest.setdefault(edition.scorecard_id, edition)
    items = [(scorecard, latest[scorecard.pk]) for scorecard in published if scorecard.pk in latest]
    return render(request, "scorecards/public_index.html", {"items": items})


def public_scorecard(request, slug):
    scorecard, edition = _published(slug)
    sections = pages.public_sections(scorecard, edition, signposts_only=False)
    return render(
        request,
        "scorecards/public_scorecard.html",
        {
            "scorecard": scorecard,
            "edition": edition,
            "sections": sections,
            "title": scorecard.public_title or edition.public_title or edition.title,
            "director_commentary": _director_commentary(edition),
            "overview": charts.status_bars_svg(sections),
        },
    )


def public_signposts(request, slug):
    scorecard, edition = _published(slug)
    return render(
        request,
        "scorecards/signposts.html",
        {
            "title": scorecard.public_title or edition.title,
            "period_label": edition.period_label,
            "sections": pages.public_sections(scorecard, edition, signposts_only=True),
            "public": True,
            "back_url": None,
            "slug": slug,
            "director_commentary": _director_commentary(edition),
        },
    )


def public_data(request, slug, fmt):
    if fmt not in ("csv", "json"):
        raise Http404("Downloads are CSV or JSON.")
    scorecard, edition = _published(slug)
    sections = pages.public_sections(scorecard, edition, signposts_only=False)
    return downloads.open_data(scorecard, edition, sections, fmt)
