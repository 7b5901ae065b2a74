import csv
import io
import json

from django.urls import reverse

from indicators.models import Indicator
from scorecards.models import Scorecard
from scorecards.tests.factories import issue, make_indicator, make_scorecard

HYPERLINK = '=HYPERLINK("http://x","y")'


def test_open_data_csv_quotes_a_formula_title_and_keeps_negative_figures(world, client):
    formula = make_indicator("PIF", world.team)
    negative = make_indicator("PIN", world.team, start_value=-20, target=-10)
    Indicator.objects.filter(pk=formula.pk).update(title=HYPERLINK)
    card = make_scorecard(
        world.directorate,
        [formula, negative],
        publication=Scorecard.Publication.FULL,
        public_slug="tenants",
    )
    issue(card, user=world.admin)
    response = client.get(reverse("public-data", kwargs={"slug": "tenants", "fmt": "csv"}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tenants-2025-09.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["code"], row["indicator"], row["value"], row["target"]) for row in rows] == [
        ("PIF", "'" + HYPERLINK, "104.0%", "95.0%"),
        ("PIN", "Indicator PIN", "-6.0%", "-10.0%"),
    ]
    data = json.loads(client.get(reverse("public-data", kwargs={"slug": "tenants", "fmt": "json"})).content)
    assert [row["indicator"] for row in data["rows"]] == [HYPERLINK, "Indicator PIN"]
