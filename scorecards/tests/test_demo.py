import io

from django.core.management import call_command
from django.urls import reverse

from scorecards.figures import restatements
from scorecards.models import EditionRow, Scorecard, ScorecardEdition, ScorecardEntry, Snapshot


def counts():
    return (
        Scorecard.objects.count(),
        ScorecardEntry.objects.count(),
        Snapshot.objects.count(),
        ScorecardEdition.objects.count(),
        EditionRow.objects.count(),
        Scorecard.history.count(),
        ScorecardEntry.history.count(),
    )


def test_demo_builds_scorecards_snapshots_editions_and_a_published_tsm_page_once(db, client):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    assert first[:4] == (5, 83, 3, 3)
    corporate = Scorecard.objects.get(title="Group corporate scorecard")
    older, latest = corporate.editions.order_by("period")
    assert len(restatements(older, list(older.rows.all()))) == 1
    assert restatements(latest, list(latest.rows.all())) == {}
    assert set(Snapshot.objects.values_list("owner__username", flat=True)) == {"mh.manager", "mh.office", "mh.updater"}
    response = client.get(reverse("public-scorecard", kwargs={"slug": "tenant-satisfaction"}))
    assert response.status_code == 200
    assert sum(len(block.rows) for block in response.context["sections"]) == 22
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
