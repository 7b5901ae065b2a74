"""What the public pages and the open-data downloads say about a published edition.

One home for the public wording: the plain-English status words and their definitions
(`PUBLIC_STATUS`), each published row with what a tenant needs beside it (the explanation of a red
result, the correction of a result changed after publication, the Tenant Satisfaction Measures
survey it comes from, its unit) and the organisation's name, logo and introduction. The public
page, the key-results page, the CSV and the JSON all read `public_edition`, so they cannot say
different things. Internal words and notes (commentary, who changed what and why) never pass here.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from indicators import rules
from indicators.figures import Row
from indicators.models import Indicator, Measurement
from pmf import periods
from scorecards import pages
from scorecards.figures import restatements
from scorecards.models import EditionRow, Scorecard, ScorecardEdition, ScorecardSettings, TsmSurvey
from scorecards.status import STATUS_ORDER


@dataclass(frozen=True)
class StatusWord:
    word: str
    definition: str


PUBLIC_STATUS = {
    rules.GREEN: StatusWord("On target", "The result met or beat the target we set ourselves."),
    rules.AMBER: StatusWord(
        "Close to target",
        "The result missed the target, but only by less than the small margin we allow, so it is close.",
    ),
    rules.RED: StatusWord(
        "Off target",
        "The result missed the target by more than the margin we allow. We say why and what we are doing about it.",
    ),
    rules.DATA_ONLY: StatusWord(
        "No target set", "We publish this figure for information. It has no target, so it is not rated."
    ),
    rules.UNKNOWN: StatusWord(
        "Not rated",
        "We could not rate this result: the figure or its target was missing when the results were published.",
    ),
}

# The perception measures of the Tenant Satisfaction Measures, the ones the tenant survey gives
# (the regulator's codes TP01 to TP12); the other TSMs come from management information.
TSM_PERCEPTION_PREFIX = "TP"

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def identity() -> ScorecardSettings:
    """The organisation's public name, introduction and logo type (not the logo's bytes, which only
    /public/logo reads); the defaults when nobody has saved settings yet."""
    found = ScorecardSettings.objects.defer("public_logo").filter(pk=1).first()
    return found if found is not None else ScorecardSettings(pk=1)


def public_word(status: str) -> str:
    return PUBLIC_STATUS.get(status, PUBLIC_STATUS[rules.UNKNOWN]).word


def definitions() -> list[tuple[str, StatusWord]]:
    """(status code, word and definition) in the usual order of the traffic lights."""
    return [(status, PUBLIC_STATUS[status]) for status in STATUS_ORDER]


@dataclass(frozen=True)
class Correction:
    """A published result changed after publication: when, what was published and what it is now."""

    on: datetime.date | None
    old_text: str
    new_text: str
    new_value: Decimal | None


@dataclass
class PublicRow:
    row: Row
    section: str
    unit: str | None = None
    unit_label: str | None = None
    correction: Correction | None = None
    survey: TsmSurvey | None = None

    @property
    def status_word(self) -> str:
        return public_word(self.row.status)

    @property
    def explained(self) -> bool:
        """A red result that says why, what is being done or when it should recover."""
        return self.row.red_commentary


@dataclass
class PublicSection:
    title: str
    commentary: str
    rows: list[PublicRow]
    counts: list[tuple[str, str, int]] = field(init=False)

    def __post_init__(self):
        found = dict.fromkeys(STATUS_ORDER, 0)
        for item in self.rows:
            found[item.row.status if item.row.status in found else rules.UNKNOWN] += 1
        self.counts = [(status, public_word(status), found[status]) for status in STATUS_ORDER]


@dataclass
class PublicEdition:
    scorecard: Scorecard
    edition: ScorecardEdition
    title: str
    sections: list[PublicSection]
    surveys: list[TsmSurvey]
    identity: ScorecardSettings

    @property
    def rows(self) -> list[PublicRow]:
        return [item for section in self.sections for item in section.rows]

    @property
    def corrected(self) -> list[PublicRow]:
        return [item for item in self.rows if item.correction is not None]

    @property
    def director_commentary(self) -> str:
        return "" if self.edition.director_commentary_internal else self.edition.director_commentary


def corrections(edition: ScorecardEdition) -> dict[tuple[int, datetime.date], Correction]:
    """{(indicator id, period): Correction} for the published rows of EDITION whose value has been
    changed since it was issued (the restatements of `scorecards.figures`). Two queries, three
    more when something was corrected."""
    items = list(
        EditionRow.objects.filter(edition=edition, public=True).only(
            "pk", "indicator_id", "period", "value", "value_text"
        )
    )
    found = restatements(edition, items)
    if not found:
        return {}
    restated = [item for item in items if item.pk in found]
    now = dict(
        (((indicator_id, period), value))
        for indicator_id, period, value in Measurement.objects.filter(
            indicator_id__in={item.indicator_id for item in restated}, period__in={item.period for item in restated}
        ).values_list("indicator_id", "period", "value")
    )
    result = {}
    for item in restated:
        change = found[item.pk]
        result[(item.indicator_id, item.period)] = Correction(
            on=timezone.localdate(change.when) if change.when else None,
            old_text=change.old_text,
            new_text=change.new_text,
            new_value=now.get((item.indicator_id, item.period)),
        )
    return result


def survey_year(period: datetime.date | None) -> int | None:
    """The survey year (first year of the financial year) a result of PERIOD belongs to."""
    return periods.financial_year_start(period).year if period else None


def public_edition(scorecard: Scorecard, edition: ScorecardEdition, *, signposts_only: bool) -> PublicEdition:
    """The published rows of EDITION (only signposts when asked or when SCORECARD publishes only
    those) with their public words, corrections, units and tenant survey, and the organisation's
    public identity. A fixed number of queries whatever the number of rows."""
    sections = pages.public_sections(scorecard, edition, signposts_only=signposts_only)
    ids = {row.indicator_id for section in sections for row in section.rows if row.indicator_id}
    facts = {
        pk: (unit, source == Indicator.Source.TSM and code.upper().startswith(TSM_PERCEPTION_PREFIX))
        for pk, unit, source, code in Indicator.objects.filter(pk__in=ids).values_list("pk", "unit", "source", "code")
    }
    labels = dict(Indicator.Unit.choices)
    fixed = corrections(edition)
    years = {
        survey_year(row.period)
        for section in sections
        for row in section.rows
        if facts.get(row.indicator_id, (None, False))[1] and row.period
    }
    surveys = {survey.year: survey for survey in TsmSurvey.objects.filter(year__in=years)} if years else {}
    public_sections = []
    for section in sections:
        rows = []
        for row in section.rows:
            unit, perception = facts.get(row.indicator_id, (None, False))
            rows.append(
                PublicRow(
                    row=row,
                    section=section.title,
                    unit=unit,
                    unit_label=labels.get(unit) if unit else None,
                    correction=fixed.get((row.indicator_id, row.period)),
                    survey=surveys.get(survey_year(row.period)) if perception else None,
                )
            )
        public_sections.append(PublicSection(title=section.title, commentary=section.commentary, rows=rows))
    used = sorted({item.survey.year for s in public_sections for item in s.rows if item.survey}, reverse=True)
    return PublicEdition(
        scorecard=scorecard,
        edition=edition,
        title=scorecard.public_title or edition.public_title or edition.title,
        sections=public_sections,
        surveys=[surveys[year] for year in used],
        identity=identity(),
    )


def check_logo(upload) -> tuple[bytes, str]:
    """The bytes and content type of an uploaded logo; ValidationError naming what is wrong when it
    is too large, is not a PNG or JPEG image, or does not open as one (whatever its name says)."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            f"The logo is {upload.size // 1024} KB; the largest accepted is {LOGO_MAX_BYTES // 1024} KB."
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if kind in LOGO_TYPES and max(width, height) <= LOGO_MAX_SIDE:
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("The logo must be a PNG or JPEG image; this file is not one.") from None
    if kind not in LOGO_TYPES:
        raise ValidationError(f"The logo must be a PNG or JPEG image; this file is {kind or 'not an image'}.")
    if max(width, height) > LOGO_MAX_SIDE:
        raise ValidationError(
            f"The logo is {width} x {height} pixels; it may be at most {LOGO_MAX_SIDE} pixels on each side."
        )
    return data, LOGO_TYPES[kind]
