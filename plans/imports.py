"""Import plan items from CSV or Excel, and export them in the same shape.

One row per item, identified by its code; `parent_code` places it in the tree (an item already
in the plan or one on an earlier row). A dry run reports what would be created or changed and
every error with its row number; committing writes everything or nothing.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from plans.models import PlanItem, Status, _a
from plans.services import refresh_chain
from pmf.models import OrgUnit, User
from pmf.spreadsheets import FileFormatError, cell_text, read_table

COLUMNS = [
    "code",
    "parent_code",
    "kind",
    "title",
    "description",
    "expected_outcome",
    "org_unit",
    "managed_by",
    "assigned_to",
    "planned_start",
    "due_date",
    "weight",
    "priority",
    "budget",
]
EXPORT_COLUMNS = [*COLUMNS, "status", "progress"]
REQUIRED = ("code", "kind", "title")
MAX_ROWS = 5000


# The name the import page catches: a file that cannot be read as a table of plan items at all.
ImportFileError = FileFormatError


@dataclass
class RowResult:
    number: int
    code: str
    title: str
    change: str  # "create" or "change"


@dataclass
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    committed: bool = False

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.change == "create")

    @property
    def changed(self) -> int:
        return sum(1 for row in self.rows if row.change == "change")


def _text(cell) -> str:
    # A date column holds dates: the time of day an Excel date cell may carry is not part of it.
    if isinstance(cell, datetime.datetime):
        cell = cell.date()
    return cell_text(cell)


def read_rows(upload) -> list[tuple[int, dict]]:
    """(row number, {column: text}) for every non-empty data row; the header is row 1.

    Raises FileFormatError for a file `pmf.spreadsheets.read_table` refuses, a header without
    the required columns, or more than MAX_ROWS rows."""
    names, cells = read_table(upload, upload.name)
    header = [name.replace(" ", "_") for name in names]
    missing = [column for column in REQUIRED + ("parent_code",) if column not in header]
    if missing:
        raise FileFormatError(f"Row 1: the header lacks the column(s) {', '.join(missing)}.")
    rows = []
    for number, row in enumerate(cells, start=2):
        values = [_text(cell) for cell in row]
        if not any(values):
            continue
        rows.append(
            (
                number,
                {
                    column: (values[i] if i < len(values) else "")
                    for i, column in enumerate(header)
                    if column in COLUMNS
                },
            )
        )
    if len(rows) > MAX_ROWS:
        raise FileFormatError(f"The file has {len(rows)} rows; import at most {MAX_ROWS} at a time.")
    return rows


def _date(value: str, column: str) -> datetime.date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f'{column} "{value}" is not a date (use 2026-03-31 or 31/03/2026)')


@dataclass
class _Planned:
    number: int
    item: PlanItem
    parent_code: str
    change: str


def plan_import(rows: list[tuple[int, dict]], user, progress=None) -> tuple[ImportResult, list[_Planned]]:
    """Check ROWS as USER would import them; nothing is written. PROGRESS, when given, is called
    with the number of rows checked so far."""
    result = ImportResult()
    planned: list[_Planned] = []
    codes = [values.get("code", "") for _, values in rows]
    existing = {item.code: item for item in PlanItem.objects.filter(code__in=[c for c in codes if c])}
    parent_codes = {values.get("parent_code", "") for _, values in rows} - {""}
    existing.update({item.code: item for item in PlanItem.objects.filter(code__in=parent_codes - set(existing))})
    editable_ids = set(PlanItem.objects.editable_by(user).filter(code__in=list(existing)).values_list("pk", flat=True))
    units = {unit.code: unit for unit in OrgUnit.objects.pickable_by(user)}
    people = {person.username: person for person in User.objects.pickable_by(user)}
    first_row: dict[str, int] = {}
    kind_of: dict[str, str] = {code: item.kind for code, item in existing.items()}
    parent_of: dict[str, str] = {}

    def error(number, message):
        result.errors.append((number, message))

    for done, (number, values) in enumerate(rows, start=1):
        if progress is not None:
            progress(done)
        code = values.get("code", "")
        problems = []
        for column in REQUIRED:
            if not values.get(column):
                problems.append(f"{column} is required")
        if code in first_row:
            error(number, f'code "{code}" is a duplicate of row {first_row[code]}')
            continue
        if code:
            first_row[code] = number
        kind = values.get("kind", "").lower()
        if kind and kind not in PlanItem.Kind.values:
            problems.append(_not_one_of("kind", kind))
        if problems:
            error(number, "; ".join(problems))
            continue
        item = existing.get(code)
        change = "change" if item is not None else "create"
        if item is not None and item.pk not in editable_ids:
            error(number, f'code "{code}" belongs to an item you cannot change')
            continue
        if item is None:
            item = PlanItem(code=code)
        parent_code = values.get("parent_code", "")
        parent_kind = None
        if parent_code:
            if parent_code == code:
                error(number, f'parent_code "{parent_code}" is the item itself; that would make a loop')
                continue
            if parent_code not in kind_of:
                error(number, f'parent_code "{parent_code}" is not in the plan or on an earlier row')
                continue
            parent_kind = kind_of[parent_code]
            if change == "change" and _would_loop(code, parent_code, parent_of, existing):
                error(number, f'parent_code "{parent_code}" is below {code}; that would make a loop')
                continue
        if parent_kind not in PlanItem.ALLOWED_PARENTS[kind]:
            where = f"under {_a(parent_kind)}" if parent_kind else "at the top (parent_code is blank)"
            error(number, f"{_a(kind)} cannot sit {where}")
            continue
        if change == "change" and item.kind != kind:
            item.kind = kind
            if conflict := item.children_kind_conflict():
                error(number, f"kind: {conflict}")
                continue
        try:
            item.kind = kind
            item.title = values["title"]
            given = {"code", "kind", "title"}
            for column in ("description", "expected_outcome"):
                if column in values:
                    setattr(item, column, values[column])
                    given.add(column)
            unit_code = values.get("org_unit", "")
            if unit_code:
                if unit_code not in units:
                    raise ValueError(f'org_unit "{unit_code}" is not a unit you can edit')
                item.org_unit = units[unit_code]
            elif change == "create":
                parent_item = existing.get(parent_code) or next(
                    (p.item for p in planned if p.item.code == parent_code), None
                )
                if parent_item is None or parent_item.org_unit_id is None:
                    raise ValueError("org_unit is required for a top-level item")
                item.org_unit = parent_item.org_unit
            for column in ("managed_by", "assigned_to"):
                username = values.get(column, "")
                if column in values:
                    if username and username not in people:
                        raise ValueError(f'{column} "{username}" is not a person you can see')
                    setattr(item, column, people.get(username) if username else None)
            for column in ("planned_start", "due_date"):
                if column in values:
                    setattr(item, column, _date(values[column], column))
                    given.add(column)
            if values.get("weight"):
                item.weight = values["weight"]
                given.add("weight")
            if values.get("priority"):
                item.priority = values["priority"].lower()
                given.add("priority")
            if "budget" in values:
                item.budget = values["budget"].replace(",", "") or None
                given.add("budget")
            in_file = bool(parent_code) and parent_code not in existing
            if not in_file:
                item.parent = existing.get(parent_code)
            _full_clean(item, given=given, parent_in_file=in_file)
        except ValueError as exc:
            error(number, str(exc))
            continue
        except ValidationError as exc:
            error(number, _model_message(exc, values))
            continue
        kind_of[code] = kind
        parent_of[code] = parent_code
        planned.append(_Planned(number, item, parent_code, change))
        result.rows.append(RowResult(number, code, item.title, change))
    return result, planned


def _full_clean(item: PlanItem, *, given: set[str], parent_in_file: bool) -> None:
    """PlanItem.full_clean() on the fields a row sets (GIVEN); raises its ValidationError.

    The org unit, people and parent come from rows the user may pick or from the plan, so the
    query full_clean makes for each is skipped, and codes are unique by the lookup of the file's
    codes in the plan. The check constraints each restate a field validator or clean() (progress,
    weight, due date) and checking them costs a query each (28 s instead of 1 s for a 5,000-row
    file on PostgreSQL), so they are left to the database. A parent that is a row of this
    file is not saved yet, so clean() would see the item at the top of a tree: its placement (and
    the kinds below it) were judged against that row above, by the same PlanItem.ALLOWED_PARENTS."""
    exclude = {field.name for field in PlanItem._meta.fields} - given
    try:
        item.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.error_dict
        if parent_in_file:
            errors = {name: problems for name, problems in errors.items() if name not in ("kind", "parent")}
        if errors:
            raise ValidationError(errors) from None


def _model_message(exc: ValidationError, values: dict) -> str:
    """A row's model errors as "column: message; ..." (a choice not offered lists the choices)."""
    parts = []
    for name, problems in exc.error_dict.items():
        if any(problem.code == "invalid_choice" for problem in problems):
            parts.append(_not_one_of(name, values.get(name, "")))
        else:
            parts.append(f"{name}: {' '.join(message for problem in problems for message in problem.messages)}")
    return "; ".join(parts)


def _not_one_of(column: str, text: str) -> str:
    choices = [value for value, _ in PlanItem._meta.get_field(column).flatchoices]
    return f'{column} "{text}" is not one of {", ".join(choices)}'


def _would_loop(code: str, parent_code: str, parent_of: dict, existing: dict) -> bool:
    """Whether placing CODE under PARENT_CODE puts it below itself (file rows first, then the plan)."""
    seen = set()
    current = parent_code
    while current and current not in seen:
        if current == code:
            return True
        seen.add(current)
        if current in parent_of:
            current = parent_of[current]
        elif current in existing:
            node = existing[current]
            ancestors = node.get_ancestors().values_list("code", flat=True)
            return code in set(ancestors)
        else:
            return False
    return False


def import_items(*, upload, user, commit: bool, progress=None) -> ImportResult:
    """Check UPLOAD and, when COMMIT and there is no error, write it (PROGRESS: see plan_import).

    Side effects (commit only): each item created or changed with a history row (changed items
    get their version bumped, moved items keep their subtree); derived values of every touched
    chain refreshed. All inside one transaction: any failure leaves the plan untouched."""
    rows = read_rows(upload)
    result, planned = plan_import(rows, user, progress)
    if not commit or result.errors or not planned:
        return result
    with transaction.atomic():
        by_code: dict[str, PlanItem] = {}
        for entry in planned:
            item = entry.item
            parent = by_code.get(entry.parent_code) or (
                PlanItem.objects.get(code=entry.parent_code) if entry.parent_code else None
            )
            if parent is not None:
                # earlier saves in this loop shift the tree numbers MPTT places the node by
                parent.refresh_from_db(fields=["lft", "rght", "tree_id", "level"])
            if item.pk:
                item.refresh_from_db(fields=["lft", "rght", "tree_id", "level", "version"])
                item.version += 1
            item.parent = parent
            item.save()
            by_code[item.code] = item
        for item in by_code.values():
            refresh_chain(item=item)
    result.committed = True
    return result


_EXPORT_FIELDS = (
    "code",
    "parent__code",
    "kind",
    "title",
    "description",
    "expected_outcome",
    "org_unit__code",
    "managed_by__username",
    "assigned_to__username",
    "planned_start",
    "due_date",
    "weight",
    "priority",
    "budget",
    "status",
    "progress",
)


def export_rows(items) -> Iterator[list]:
    """The header and one row per item of ITEMS (a sorted queryset), in the shape the import reads.
    Plain tuples from a server-side cursor, no model instances: any number of items in constant
    memory."""
    yield EXPORT_COLUMNS
    statuses = dict(Status.choices)
    for (
        code,
        parent,
        kind,
        title,
        description,
        outcome,
        unit,
        managed_by,
        assigned_to,
        start,
        due,
        weight,
        priority,
        budget,
        status,
        progress,
    ) in items.values_list(*_EXPORT_FIELDS).iterator(chunk_size=2000):
        yield [
            code,
            parent or "",
            kind,
            title,
            description,
            outcome,
            unit,
            managed_by or "",
            assigned_to or "",
            start.isoformat() if start else "",
            due.isoformat() if due else "",
            weight,
            priority,
            str(budget) if budget is not None else "",
            statuses[status],
            progress,
        ]
