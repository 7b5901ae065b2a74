import csv
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from plans.imports import import_items
from plans.models import PlanItem
from pmf.spreadsheets import FileFormatError

HEADER = "code,parent_code,kind,title,org_unit,assigned_to,planned_start,due_date,weight,priority\n"


def csv_file(body: str, name="plan.csv"):
    return SimpleUploadedFile(name, (HEADER + body).encode(), content_type="text/csv")


GOOD = (
    "H 2,SDP H,objective,Cut void times,alpha-housing,,,,,\n"
    "H 2.1,H 2,action,Weekly void meetings,alpha-rents,charlie,2026-01-01,31/03/2026,2,high\n"
    "H 1.1,H 1,action,Train the whole rents team,alpha-rents,charlie,2025-04-01,2026-03-31,1,medium\n"
)


def test_dry_run_reports_creates_and_changes_and_saves_nothing(plans, world):
    before = PlanItem.objects.count()
    result = import_items(upload=csv_file(GOOD), user=world.manager, commit=False)
    assert result.errors == []
    assert [(row.number, row.code, row.change) for row in result.rows] == [
        (2, "H 2", "create"),
        (3, "H 2.1", "create"),
        (4, "H 1.1", "change"),
    ]
    assert PlanItem.objects.count() == before
    assert result.committed is False


def test_commit_creates_the_tree_and_changes_existing_items(plans, world):
    result = import_items(upload=csv_file(GOOD), user=world.manager, commit=True)
    assert result.committed is True
    new_action = PlanItem.objects.get(code="H 2.1")
    assert (
        new_action.parent.code,
        new_action.parent.parent.code,
        new_action.assigned_to,
        new_action.weight,
        new_action.priority,
        str(new_action.due_date),
    ) == ("H 2", "SDP H", world.updater, 2, "high", "2026-03-31")
    changed = PlanItem.objects.get(code="H 1.1")
    assert (changed.title, changed.version) == ("Train the whole rents team", 2)
    assert changed.history.count() == 2
    assert [node.code for node in PlanItem.objects.get(code="SDP H").get_descendants()] == [
        "H 1",
        "H 1.1",
        "P 1.1",
        "H 2",
        "H 2.1",
    ]


def test_xlsx_import_reads_dates_and_numbers(plans, world):
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        [
            "H 1.2",
            "H 1",
            "action",
            "From Excel",
            "alpha-rents",
            "charlie",
            datetime.datetime(2026, 1, 5),
            datetime.datetime(2026, 2, 5),
            3,
            "low",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("plan.xlsx", buffer.getvalue())
    result = import_items(upload=upload, user=world.manager, commit=True)
    assert result.errors == []
    created = PlanItem.objects.get(code="H 1.2")
    assert (created.title, str(created.planned_start), created.weight) == ("From Excel", "2026-01-05", 3)


def _errors_and_nothing_saved(world, body):
    before = list(PlanItem.history.values_list("pk", flat=True))
    result = import_items(upload=csv_file(body), user=world.manager, commit=True)
    assert result.committed is False
    assert list(PlanItem.history.values_list("pk", flat=True)) == before
    return result.errors


def test_missing_parent_code_is_a_row_error_and_nothing_is_imported(plans, world):
    errors = _errors_and_nothing_saved(world, GOOD + "H 9.1,H 9,action,Orphan,alpha-rents,,,,,\n")
    assert errors == [(5, 'parent_code "H 9" is not in the plan or on an earlier row')]
    assert not PlanItem.objects.filter(code="H 2").exists()


def test_duplicate_code_in_the_file_is_a_row_error(plans, world):
    errors = _errors_and_nothing_saved(world, GOOD + "H 2.1,H 2,action,Again,alpha-rents,,,,,\n")
    assert errors == [(5, 'code "H 2.1" is a duplicate of row 3')]


def test_due_date_before_start_is_a_row_error_naming_the_columns(plans, world):
    errors = _errors_and_nothing_saved(world, "H 1.2,H 1,action,Backwards,alpha-rents,,2026-05-01,2026-04-01,,\n")
    assert errors == [(2, "due_date: The due date cannot be before the planned start.")]


def test_import_that_would_make_a_loop_is_refused(plans, world):
    errors = _errors_and_nothing_saved(world, "H 1,H 1.1,objective,Reduce arrears,alpha-housing,,,,,\n")
    assert errors == [(2, 'parent_code "H 1.1" is below H 1; that would make a loop')]


def test_every_bad_row_is_reported_with_its_number(plans, world):
    errors = _errors_and_nothing_saved(
        world,
        (
            "H 1.2,H 1,task,Bad kind,alpha-rents,,,,,\n"
            "H 1.3,H 1,action,,alpha-rents,,,,,\n"
            "H 1.4,H 1,action,Bad unit,nowhere,,,,,\n"
            "H 1.5,H 1,action,Bad person,alpha-rents,nobody,,,,\n"
            "H 1.6,H 1,action,Bad weight,alpha-rents,,,,0,\n"
            "H 1.7,H 1,action,Bad date,alpha-rents,,soon,,,\n"
            "P 1.1,H 1,action,Not mine,alpha-rents,,,,,\n"
        ),
    )
    assert errors == [
        (2, 'kind "task" is not one of strategy, plan, objective, action'),
        (3, "title is required"),
        (4, 'org_unit "nowhere" is not a unit you can edit'),
        (5, 'assigned_to "nobody" is not a person you can see'),
        (6, "weight: Ensure this value is greater than or equal to 1."),
        (7, 'planned_start "soon" is not a date (use 2026-03-31 or 31/03/2026)'),
        (8, 'code "P 1.1" belongs to an item you cannot change'),
    ]


def test_import_page_dry_run_then_commit(plans, world, client_for):
    client = client_for(world.manager)
    response = client.post(reverse("plan-import"), {"file": csv_file(GOOD), "dry_run": "1"})
    assert response.status_code == 200
    assert b"2 items would be created and 1 changed" in response.content
    assert not PlanItem.objects.filter(code="H 2").exists()
    response = client.post(reverse("plan-import"), {"file": csv_file(GOOD), "commit": "1"})
    assert response.status_code == 302
    assert PlanItem.objects.filter(code="H 2.1").exists()


def test_import_page_shows_row_errors(plans, world, client_for):
    response = client_for(world.manager).post(
        reverse("plan-import"), {"file": csv_file("H 9.1,H 9,action,Orphan,alpha-rents,,,,,\n"), "commit": "1"}
    )
    assert response.status_code == 200
    assert "Row 2: parent_code &quot;H 9&quot; is not in the plan or on an earlier row" in response.content.decode()


def test_a_file_without_the_required_columns_is_refused(plans, world, client_for):
    upload = SimpleUploadedFile("plan.csv", b"name,parent\nx,y\n")
    response = client_for(world.manager).post(reverse("plan-import"), {"file": upload, "dry_run": "1"})
    assert response.context["file_error"] == "Row 1: the header lacks the column(s) code, kind, title, parent_code."


def test_import_changing_kind_so_the_children_no_longer_fit_is_a_row_error(plans, world):
    errors = _errors_and_nothing_saved(world, "H 1,,strategy,Reduce arrears,alpha-housing,,,,,\n")
    assert errors == [(2, "kind: An action sits below H 1, and an action cannot sit under a strategy.")]
    assert PlanItem.objects.get(code="H 1").kind == PlanItem.Kind.OBJECTIVE


def test_items_are_judged_by_the_model_rules_the_plan_item_form_uses(plans, world):
    errors = _errors_and_nothing_saved(
        world,
        (
            f"{'H' * 41},H 1,action,Code too long,alpha-rents,,,,,\n"
            f"H 1.2,H 1,action,{'T' * 301},alpha-rents,,,,,\n"
            "H 1.3,H 1,action,Bad priority,alpha-rents,,,,,urgent\n"
            "H 1.4,H 1,action,Bad weight,alpha-rents,,,,two,\n"
            "H 1.5,,objective,Top objective,alpha-rents,,,,,\n"
        ),
    )
    assert errors == [
        (2, "code: Ensure this value has at most 40 characters (it has 41)."),
        (3, "title: Ensure this value has at most 300 characters (it has 301)."),
        (4, 'priority "urgent" is not one of high, medium, low'),
        (5, "weight: “two” value must be an integer."),
        (6, "an objective cannot sit at the top (parent_code is blank)"),
    ]
    assert not PlanItem.objects.filter(code__in=["H" * 41, "H 1.2"]).exists()


# Hostile files and formula injection -----------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","y")'


def test_csv_and_xlsx_exports_quote_text_that_would_run_as_a_formula(plans, world, client_for):
    PlanItem.objects.filter(pk=plans.action.pk).update(title=HYPERLINK, description="-1+1")
    client = client_for(world.admin)
    response = client.get(reverse("plan-export"), {"root": plans.objective.pk, "format": "csv"})
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")))}
    assert (rows["H 1.1"][3], rows["H 1.1"][4], rows["H 1.1"][11]) == ("'" + HYPERLINK, "'-1+1", "1")
    response = client.get(reverse("plan-export"), {"root": plans.objective.pk, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert [(cell.value, cell.data_type) for cell in rows["H 1.1"][3:5]] == [("'" + HYPERLINK, "s"), ("'-1+1", "s")]
    assert (rows["H 1.1"][11].value, rows["H 1.1"][11].data_type) == (1, "n")


def test_an_exported_plan_imports_back_unchanged(plans, world, client_for):
    response = client_for(world.admin).get(reverse("plan-export"), {"root": plans.objective.pk, "format": "xlsx"})
    before = list(PlanItem.objects.values_list("code", "title", "due_date", "weight", "version"))
    result = import_items(upload=SimpleUploadedFile("plan.xlsx", response.getvalue()), user=world.admin, commit=False)
    assert (result.errors, [(row.code, row.change) for row in result.rows]) == (
        [],
        [("H 1", "change"), ("H 1.1", "change"), ("P 1.1", "change")],
    )
    assert list(PlanItem.objects.values_list("code", "title", "due_date", "weight", "version")) == before


def _workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _huge_number_workbook() -> bytes:
    """A workbook whose weight cell holds a 5,000-digit number (openpyxl cannot write one)."""
    data = _workbook(
        [HEADER.strip().split(","), ["H 1.2", "H 1", "action", "Big", "alpha-rents", "", "", "", 12345, ""]]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<v>12345</v>", b"<v>" + b"9" * 5000 + b"</v>")
            target.writestr(member, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.xlsx", b"not a workbook at all", "The file is not a readable Excel workbook (BadZipFile)."),
        (
            "plan.xlsx",
            _huge_number_workbook(),
            "Row 2 of the workbook cannot be read (ValueError); "
            "look for a cell with a number or text far longer than a real value.",
        ),
        (
            "plan.csv",
            (HEADER + "H 1.2,H 1,action," + "x" * 10001 + ",alpha-rents,,,,,\n").encode(),
            "Row 2, column title: the cell holds 10,001 characters; at most 10,000 are accepted.",
        ),
        (
            "plan.xlsx",
            _workbook([HEADER.strip().split(","), ["H 1.2", "H 1", "action", "y" * 10001, "alpha-rents"]]),
            "Row 2, column title: the cell holds 10,001 characters; at most 10,000 are accepted.",
        ),
    ],
    ids=["garbage-xlsx", "huge-number", "long-csv-cell", "long-xlsx-cell"],
)
def test_import_page_refuses_hostile_files_with_a_message(plans, world, client_for, name, data, message):
    before = list(PlanItem.history.values_list("pk", flat=True))
    response = client_for(world.manager).post(
        reverse("plan-import"), {"file": SimpleUploadedFile(name, data), "commit": "1"}
    )
    assert (response.status_code, response.context["file_error"]) == (200, message)
    assert list(PlanItem.history.values_list("pk", flat=True)) == before


def test_import_refuses_a_file_over_the_size_limit(plans, world, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    row = b"H 1.2,H 1,action,Big,alpha-rents,,,,,\n"
    upload = SimpleUploadedFile("plan.csv", HEADER.encode() + row * (settings.IMPORT_MAX_BYTES // len(row) + 1))
    with pytest.raises(FileFormatError) as caught:
        import_items(upload=upload, user=world.manager, commit=True)
    assert str(caught.value) == (
        "The file is larger than 64 KB, the most an import accepts; split it into smaller files."
    )
    assert not PlanItem.objects.filter(code="H 1.2").exists()


def test_xlsx_import_takes_the_date_of_a_date_cell_that_carries_a_time(plans, world):
    data = _workbook(
        [
            HEADER.strip().split(","),
            ["H 1.2", "H 1", "action", "Timed", "alpha-rents", "", datetime.datetime(2026, 1, 5, 9, 30), "", "", ""],
        ]
    )
    result = import_items(upload=SimpleUploadedFile("plan.xlsx", data), user=world.manager, commit=True)
    assert result.errors == []
    assert PlanItem.objects.get(code="H 1.2").planned_start == datetime.date(2026, 1, 5)
