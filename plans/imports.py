"""Import plan items from CSV or Excel, and export them in the same shape.

One row per item, identified by its code; `parent_code` places it in the tree (an item already
in the plan or one on an earlier row). A dry run reports what would be created or changed and
every error with its row number; committing writes everything or nothing.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from plans.models import PlanItem, _a
from plans.services import refresh_chain
from pmf.models import OrgUnit, User

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


class ImportFileError(Exception):
    """The file cannot be read as a table of plan items at all."""


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


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(upload) -> list[tuple[int, dict]]:
    """(row number, {column: text}) for every non-empty data row; the header is row 1."""
    name = upload.name.lower()
    try:
        if name.endswith(".xlsx"):
            sheet = load_workbook(upload, read_only=True, data_only=True).active
            raw = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        else:
            text = upload.read().decode("utf-8-sig")
            raw = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(
            f"The file could not be read ({exc.__class__.__name__}); save it as UTF-8 CSV or .xlsx and try again."
        ) from None
    if not raw:
        raise ImportFileError("The file is empty.")
    header = [cell.strip().lower().replace(" ", "_") for cell in raw[0]]
    missing = [column for column in REQUIRED + ("parent_code",) if column not in header]
    if missing:
        raise ImportFileError(f"Row 1: the header lacks the column(s) {', '.join(missing)}.")
    rows = []
    for number, values in enumerate(raw[1:], start=2):
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
        raise ImportFileError(f"The file has {len(rows)} rows; import at most {MAX_ROWS} at a time.")
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


def plan_import(rows: list[tuple[int, dict]], user) -> tuple[ImportResult, list[_Planned]]:
    """Check ROWS as USER would import them; nothing is written."""
    result = ImportResult()
    planned: list[_Planned] = []
    codes = [values.get("code", "") for _, values in rows]
    existing = {item.code: item for item in PlanItem.objects.filter(code__in=[c for c in codes if c])}
    parent_codes = {values.get("parent_code", "") for _, values in rows} - {""}
    existing.update({item.code: item for item in PlanItem.objects.filter(code__in=parent_codes - set(existing))})
    editable_ids = set(PlanItem.objects.editable_by(user).filter(code__in=list(existing)).values_list("pk", flat=True))
    units = {unit.code: unit for unit in OrgUnit.objects.editable_by(user)}
    people = {person.username: person for person in User.objects.visible_to(user).filter(is_active=True)}
    first_row: dict[str, int] = {}
    kind_of: dict[str, str] = {code: item.kind for code, item in existing.items()}
    parent_of: dict[str, str] = {}

    def error(number, message):
        result.errors.append((number, message))

    for number, values in rows:
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
            problems.append(f'kind "{kind}" is not one of {", ".join(PlanItem.Kind.values)}')
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
            for column in ("description", "expected_outcome"):
                if column in values:
                    setattr(item, column, values[column])
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
            if "planned_start" in values:
                item.planned_start = _date(values["planned_start"], "planned_start")
            if "due_date" in values:
                item.due_date = _date(values["due_date"], "due_date")
            if item.planned_start and item.due_date and item.due_date < item.planned_start:
                raise ValueError(
                    f"due_date {item.due_date:%d/%m/%Y} is before planned_start {item.planned_start:%d/%m/%Y}"
                )
            if values.get("weight"):
                if not values["weight"].isdigit() or int(values["weight"]) < 1:
                    raise ValueError(f'weight "{values["weight"]}" must be a whole number of at least 1')
                item.weight = int(values["weight"])
            if values.get("priority"):
                priority = values["priority"].lower()
                if priority not in PlanItem.Priority.values:
                    raise ValueError(f'priority "{values["priority"]}" is not one of high, medium, low')
                item.priority = priority
            if "budget" in values:
                try:
                    item.budget = Decimal(values["budget"].replace(",", "")) if values["budget"] else None
                except InvalidOperation:
                    raise ValueError(f'budget "{values["budget"]}" is not a number') from None
            item.clean_fields(exclude=["parent", "code", "version", "org_unit", "managed_by", "assigned_to"])
        except ValueError as exc:
            error(number, str(exc))
            continue
        except ValidationError as exc:
            error(number, "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()))
            continue
        kind_of[code] = kind
        parent_of[code] = parent_code
        planned.append(_Planned(number, item, parent_code, change))
        result.rows.append(RowResult(number, code, item.title, change))
    return result, planned


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


def import_items(*, upload, user, commit: bool) -> ImportResult:
    """Check UPLOAD and, when COMMIT and there is no error, write it.

    Side effects (commit only): each item created or changed with a history row (changed items
    get their version bumped, moved items keep their subtree); derived values of every touched
    chain refreshed. All inside one transaction: any failure leaves the plan untouched."""
    rows = read_table(upload)
    result, planned = plan_import(rows, user)
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


def _export_row(item: PlanItem) -> list:
    return [
        item.code,
        item.parent.code if item.parent_id else "",
        item.kind,
        item.title,
        item.description,
        item.expected_outcome,
        item.org_unit.code,
        item.managed_by.username if item.managed_by_id else "",
        item.assigned_to.username if item.assigned_to_id else "",
        item.planned_start.isoformat() if item.planned_start else "",
        item.due_date.isoformat() if item.due_date else "",
        item.weight,
        item.priority,
        str(item.budget) if item.budget is not None else "",
        item.get_status_display(),
        item.progress,
    ]


def export_csv(items) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for item in items:
        writer.writerow(_export_row(item))
    return buffer.getvalue().encode("utf-8-sig")


def _text_cell(sheet, value):
    """Text that starts with "=" stays text: openpyxl would otherwise write it as a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def export_xlsx(items) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan items")
    sheet.append(EXPORT_COLUMNS)
    for item in items:
        sheet.append([_text_cell(sheet, value) for value in _export_row(item)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
