"""Demo public identity and Tenant Satisfaction Measures survey context, for the published tenant
scorecard of the demo (Merebrook Homes' TSMs). Idempotent: nothing already set is changed."""

import datetime
from decimal import Decimal

from indicators.models import Indicator, Measurement
from pmf import periods
from scorecards.models import ScorecardSettings, TsmSurvey
from scorecards.publishing import TSM_PERCEPTION_PREFIX

INTRODUCTION = (
    "Merebrook Homes is part of Merebrook Housing Group. These pages show how we are doing against the "
    "targets we set ourselves, including the Tenant Satisfaction Measures that the Regulator of Social "
    "Housing asks every landlord to publish.\n"
    "If you have a question about any of these figures, ask your housing officer or our customer services "
    "team."
)
# (achieved sample, response rate %) of each survey, newest first; the older one was smaller.
SAMPLES = [(812, Decimal("21.4")), (768, Decimal("19.8")), (731, Decimal("18.9"))]


def seed_public_pages() -> None:
    identity = ScorecardSettings.load()
    if not identity.public_name:
        identity.public_name = "Merebrook Homes"
        identity.public_introduction = INTRODUCTION
        identity.save()
    years = sorted(
        {
            periods.financial_year_start(period).year
            for period in Measurement.objects.filter(
                indicator__source=Indicator.Source.TSM,
                indicator__code__startswith=TSM_PERCEPTION_PREFIX,
                value__isnull=False,
            ).values_list("period", flat=True)
        },
        reverse=True,
    )
    for (sample, rate), year in zip(SAMPLES, years, strict=False):
        TsmSurvey.objects.get_or_create(
            year=year,
            defaults={
                "sample_size": sample,
                "response_rate": rate,
                "collection_method": "Telephone interviews, with an online questionnaire for tenants who preferred it",
                "fieldwork_start": datetime.date(year, 9, 8),
                "fieldwork_end": datetime.date(year, 11, 14),
                "carried_out_by": TsmSurvey.CarriedOutBy.CONTRACTOR,
                "contractor": "Northfield Research Ltd",
                "notes": (
                    "A random sample of tenant households, stratified by area so every neighbourhood is "
                    "represented. Results are weighted by age of lead tenant and area to match all our tenants. "
                    "No incentive was offered. Households with an open safeguarding case or a current legal "
                    "dispute were not contacted."
                ),
            },
        )
