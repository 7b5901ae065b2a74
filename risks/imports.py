"""Import a risk register from CSV or Excel, and export the register in the same columns.

One row per risk, identified by its code: a new code creates a risk, a known one changes it. A
dry run ("Check") reports what would be created or changed and every bad row and column in one
pass; committing writes everything or nothing. Each row is checked by the same rules as the risk
form (the model's own checks and the matrix rules of risks.services.risk_errors).

The export adds derived columns (scores, bands, appetite, review state); the import accepts them
and ignores them, so an exported register can be edited and loaded back.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from mptt.exceptions import InvalidMove

from indicators.models import Indicator
from plans.models import PlanItem
from pmf.locking import EditConflict
from pmf.models import OrgUnit, User
from pmf.spreadsheets import FileFormatError, RowReport, cell_text, check_header, read_table
from risks import services
from risks import status as rules
from risks.forms import split_codes
from risks.matrix import load_matrix
from risks.models import Risk, RiskCategory
from risks.rows import RiskRow

COLUMNS = [
    "code",
    "title",
    "cause",
    "event",
    "effect",
    "category",
    "org_unit",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
    "proximity",
    "treatment",
    "status",
    "review_frequency",
    "next_review_date",
    "parent_code",
    "objective_codes",
    "action_codes",
    "indicator_codes",
]
DERIVED_COLUMNS = [
    "inherent_score",
    "inherent_band",
    "current_score",
    "current_band",
    "target_score",
    "target_band",
    "appetite",
    "appetite_state",
    "movement",
    "last_reviewed_on",
    "review_overdue",
    "review_suggested",
]
LEVEL_COLUMNS = [f"{p}_{a}" for p in rules.POSITIONS for a in (rules.LIKELIHOOD, rules.IMPACT)]
REQUIRED = {"code", "title", "category", "org_unit", "owner", *LEVEL_COLUMNS}
MAX_ROWS = 5000
# Model fields whose errors belong to another column of the file.
FIELD_COLUMNS = {"parent": "parent_code"}


class _Refused(Exception):
    """A row was refused while committing; the transaction is rolled back."""


@dataclass
class PlannedRow:
    number: int
    risk: Risk
    change: str  # "create" or "change"
    objectives: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    expected_version: int | None = None


@dataclass
class ImportResult:
    report: RowReport
    rows: list[PlannedRow] = field(default_factory=list)
    committed: bool = False

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.change == "create")

    @property
    def changed(self) -> int:
        return sum(1 for row in self.rows if row.change == "change")


def _date(text: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f'"{text}" is not a date (use 2027-03-31 or 31/03/2027)')


def _choice(text: str, choices, default: str) -> str:
    if not text:
        return default
    for value, label in choices:
        if text.lower() in (str(value).lower(), str(label).lower()):
            return value
    raise ValueError(f'"{text}" is not one of {", ".join(str(label) for _, label in choices)}')


class _Lookups:
    """Everything a row may name, loaded once for the whole file."""

    def __init__(self, user, rows: list[dict]):
        self.user = user
        self.categories = {}
        for category in RiskCategory.objects.all():
            self.categories[category.code.lower()] = category
            self.categories[category.name.lower()] = category
        unit_codes = {row.get("org_unit", "").lower() for row in rows}
        self.units = {
            unit.code.lower(): unit
            for unit in OrgUnit.objects.annotate(lower=Lower("code")).filter(lower__in=unit_codes)
        }
        self.pickable_units = set(
            OrgUnit.objects.pickable_by(user)
            .filter(pk__in=[u.pk for u in self.units.values()])
            .values_list("pk", flat=True)
        )
        names = {row.get("owner", "").lower() for row in rows}
        self.people = {}
        for person in (
            User.objects.pickable_by(user)
            .annotate(u=Lower("username"), e=Lower("email"))
            .filter(Q(u__in=names) | Q(e__in=names))
        ):
            self.people[person.username.lower()] = person
            self.people[person.email.lower()] = person
        codes = {row.get("code", "") for row in rows} | {row.get("parent_code", "") for row in rows}
        self.risks = {risk.code: risk for risk in Risk.objects.filter(code__in=codes)}
        self.visible = set(Risk.objects.visible_to(user).filter(code__in=codes).values_list("code", flat=True))
        self.editable = set(Risk.objects.editable_by(user).filter(code__in=codes).values_list("code", flat=True))
        linked = set()
        for row in rows:
            for column in ("objective_codes", "action_codes", "indicator_codes"):
                linked.update(split_codes(row.get(column, "")))
        visible_items = PlanItem.objects.visible_to(user).filter(code__in=linked)
        self.objectives = {i.code: i for i in visible_items.filter(kind=PlanItem.Kind.OBJECTIVE)}
        self.actions = {i.code: i for i in visible_items.filter(kind=PlanItem.Kind.ACTION)}
        self.indicators = {i.code: i for i in Indicator.objects.visible_to(user).filter(code__in=linked)}


def _linked(text: str, found: dict, what: str) -> list:
    codes = split_codes(text)
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValueError(f"no {what} you can see has the code{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return [found[code] for code in codes]


def _plan_row(
    number: int, row: dict, lookups: _Lookups, planned: dict, seen: dict, report: RowReport, matrix
) -> PlannedRow | None:
    def fail(column, reason):
        report.add(number, column, reason)

    before = report.error_count
    code = row.get("code", "")
    if not code:
        fail("code", "give the risk's code")
        return None
    if code in seen:
        fail("code", f"{code} is also on row {seen[code]}; give each risk one row")
        return None
    seen[code] = number
    existing = lookups.risks.get(code)
    if existing is not None:
        if code not in lookups.editable:
            fail("code", f"{code} is a risk you cannot change" if code in lookups.visible else f"{code} is taken")
            return None
        risk = existing
        change = "change"
    else:
        risk = Risk(code=code)
        change = "create"
    risk.title = row.get("title", "")
    for column in ("cause", "event", "effect"):
        if column in row:
            setattr(risk, column, row[column])

    category = lookups.categories.get(row.get("category", "").lower())
    if category is None:
        fail("category", f'"{row.get("category", "")}" is not a risk category (use its code or name)')
    else:
        risk.category = category
    unit = lookups.units.get(row.get("org_unit", "").lower())
    if unit is None:
        fail("org_unit", f'no organisation unit has the code "{row.get("org_unit", "")}"')
    elif unit.pk not in lookups.pickable_units and unit.pk != risk.org_unit_id:
        fail("org_unit", f"you cannot give risks to {unit.name}")
    else:
        risk.org_unit = unit
    owner = lookups.people.get(row.get("owner", "").lower())
    if owner is None:
        fail("owner", f'no active person you can see has the username or e-mail "{row.get("owner", "")}"')
    else:
        risk.owner = owner
    for column in LEVEL_COLUMNS:
        text = row.get(column, "")
        try:
            setattr(risk, column, int(text) if text else None)
        except ValueError:
            fail(column, f'"{text}" is not a whole number')
            setattr(risk, column, 0)
    for column, choices, default in (
        ("proximity", Risk.Proximity.choices, Risk.Proximity.NEAR),
        ("treatment", Risk.Treatment.choices, Risk.Treatment.TREAT),
        ("status", Risk.Status.choices, Risk.Status.OPEN),
    ):
        if column in row or change == "create":
            try:
                setattr(risk, column, _choice(row.get(column, ""), choices, default))
            except ValueError as exc:
                fail(column, str(exc))
    if "review_frequency" in row or change == "create":
        try:
            risk.review_frequency = int(
                _choice(row.get("review_frequency", ""), list(rules.FREQUENCIES.items()), rules.QUARTERLY)
            )
        except ValueError as exc:
            fail("review_frequency", str(exc))
    if row.get("next_review_date"):
        try:
            risk.next_review_date = _date(row["next_review_date"])
        except ValueError as exc:
            fail("next_review_date", str(exc))
    elif change == "create":
        risk.next_review_date = None

    parent_code = row.get("parent_code", "")
    risk.parent = None
    if parent_code:
        if parent_code in planned:
            risk.parent = planned[parent_code].risk
        elif parent_code in lookups.visible:
            risk.parent = lookups.risks[parent_code]
        else:
            fail("parent_code", f'no risk you can see, nor an earlier row, has the code "{parent_code}"')
    links = {}
    for column, found, what in (
        ("objective_codes", lookups.objectives, "objective"),
        ("action_codes", lookups.actions, "action"),
        ("indicator_codes", lookups.indicators, "PI"),
    ):
        try:
            links[column] = _linked(row.get(column, ""), found, what) if column in row else None
        except ValueError as exc:
            fail(column, str(exc))

    failed = {error.column for error in report.errors[before:]}
    for name, messages in services.risk_errors(risk, matrix).items():
        column = FIELD_COLUMNS.get(name, name)
        if column not in failed and column != "__all__":
            for message in messages:
                fail(column if column in COLUMNS else "code", message.rstrip("."))
    if report.error_count > before:
        return None
    return PlannedRow(
        number=number,
        risk=risk,
        change=change,
        objectives=links.get("objective_codes"),
        actions=links.get("action_codes"),
        indicators=links.get("indicator_codes"),
        expected_version=risk.version if change == "change" else None,
    )


def import_risks(*, upload, file_name: str, user, commit: bool) -> ImportResult:
    """Check (COMMIT false) or import (COMMIT true) the risks in UPLOAD for USER.

    Raises FileFormatError for a file that is not a table of risks (unreadable, wrong columns, too
    many rows). Every bad row and column is reported in one pass; with any error nothing is
    written. Side effects of a commit with no errors, in one transaction: each risk created or
    changed through risks.services.save_risk (a history row each, version bumped)."""
    header, raw_rows = read_table(upload, file_name)
    check_header(header, COLUMNS + DERIVED_COLUMNS, REQUIRED)
    rows = []
    for number, cells in enumerate(raw_rows, start=2):
        values = {column: cell_text(cells[i]) if i < len(cells) else "" for i, column in enumerate(header)}
        if not any(values.values()):
            continue
        rows.append((number, {column: value for column, value in values.items() if column in COLUMNS}))
        if len(rows) > MAX_ROWS:
            raise FileFormatError(f"The file has more than {MAX_ROWS} rows; import at most {MAX_ROWS} at a time.")
    report = RowReport(rows=len(rows))
    result = ImportResult(report=report)
    lookups = _Lookups(user, [row for _, row in rows])
    matrix = load_matrix()
    planned: dict[str, PlannedRow] = {}
    seen: dict[str, int] = {}
    for number, row in rows:
        plan = _plan_row(number, row, lookups, planned, seen, report, matrix)
        if plan is not None:
            planned[plan.risk.code] = plan
            result.rows.append(plan)
    if commit and report.ok and result.rows:
        try:
            with transaction.atomic():
                for plan in result.rows:
                    _commit_row(plan, report)
        except _Refused:
            return result
        result.committed = True
    return result


def _commit_row(plan: PlannedRow, report: RowReport) -> None:
    """Save one checked row; a row refused now (changed by someone since the check, or moved into
    a loop through rows further down) is reported and stops the whole import."""
    try:
        services.save_risk(
            risk=plan.risk,
            expected_version=plan.expected_version,
            objectives=plan.objectives,
            actions=plan.actions,
            indicators=plan.indicators,
        )
    except EditConflict as exc:
        report.add(plan.number, "code", exc.message)
        raise _Refused from exc
    except InvalidMove as exc:
        report.add(plan.number, "parent_code", f"{plan.risk.code} would sit beneath itself; that would make a loop")
        raise _Refused from exc
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                report.add(
                    plan.number,
                    FIELD_COLUMNS.get(name, name) if name in COLUMNS or name in FIELD_COLUMNS else "code",
                    message,
                )
        raise _Refused from exc


def export_rows(rows: list[RiskRow]):
    """The register as spreadsheet rows: the import columns, then the derived ones."""
    yield COLUMNS + DERIVED_COLUMNS
    for row in rows:
        risk = row.risk
        codes = {
            "objective_codes": ", ".join(item.code for item in risk.objectives.all()),
            "action_codes": ", ".join(item.code for item in risk.actions.all()),
            "indicator_codes": ", ".join(item.code for item in risk.indicators.all()),
        }
        yield [
            risk.code,
            risk.title,
            risk.cause,
            risk.event,
            risk.effect,
            risk.category.code,
            risk.org_unit.code,
            risk.owner.username,
            *[getattr(risk, column) for column in LEVEL_COLUMNS],
            risk.get_proximity_display(),
            risk.get_treatment_display(),
            risk.get_status_display(),
            rules.FREQUENCIES[risk.review_frequency],
            risk.next_review_date.isoformat(),
            risk.parent.code if risk.parent_id else "",
            codes["objective_codes"],
            codes["action_codes"],
            codes["indicator_codes"],
            *[
                value
                for position in rules.POSITIONS
                for value in (
                    risk.score_of(position),
                    row.bands[position].name if row.bands[position] else "",
                )
            ],
            risk.category.appetite if risk.category.appetite is not None else "",
            rules.APPETITE_LABELS[row.appetite],
            rules.MOVEMENT_LABELS[risk.movement],
            risk.last_reviewed_on.isoformat() if risk.last_reviewed_on else "",
            "Yes" if row.overdue else "No",
            "Yes" if row.review_suggested else "No",
        ]
