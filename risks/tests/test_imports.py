import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from indicators.tests.factories import team_indicator
from plans.tests.factories import plan_world
from pmf.spreadsheets import FileFormatError
from risks.imports import import_risks
from risks.models import Risk
from risks.tests.factories import category

HEADER = (
    "code,title,category,org_unit,owner,inherent_likelihood,inherent_impact,current_likelihood,current_impact,"
    "target_likelihood,target_impact,review_frequency,next_review_date,parent_code,action_codes,indicator_codes"
)


def upload(text: str, name: str = "risks.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"))


def run(world, text, *, commit, user=None):
    return import_risks(upload=upload(text), file_name="risks.csv", user=user or world.manager, commit=commit)


def good_file(world):
    return "\n".join(
        [
            HEADER,
            f"S 1,Arrears rise,operational,{world.team.code},charlie,4,4,3,3,2,2,Quarterly,2027-03-01,,H 1.1,INC01",
            f"S 2,Evictions rise,operational,{world.team.code},bob@example.org,4,3,3,3,2,2,1,,S 1,,",
        ]
    )


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(world):
    plan_world(world)
    team_indicator(world, code="INC01")
    category()
    result = run(world, good_file(world), commit=False)
    assert result.report.ok
    assert [(row.number, row.risk.code, row.change) for row in result.rows] == [
        (2, "S 1", "create"),
        (3, "S 2", "create"),
    ]
    assert not result.committed
    assert not Risk.objects.exists()


def test_a_good_file_is_imported_with_its_links_and_escalation(world):
    plans = plan_world(world)
    indicator = team_indicator(world, code="INC01")
    category()
    result = run(world, good_file(world), commit=True)
    assert result.committed and (result.created, result.changed) == (2, 0)
    first, second = Risk.objects.get(code="S 1"), Risk.objects.get(code="S 2")
    assert (first.current_score, str(first.next_review_date), first.review_frequency) == (9, "2027-03-01", 3)
    assert list(first.actions.all()) == [plans.action] and list(first.indicators.all()) == [indicator]
    assert (second.parent, second.owner, second.review_frequency) == (first, world.manager, 1)
    assert second.next_review_date is not None


def test_every_bad_row_and_column_is_named_in_one_pass_and_nothing_is_saved(world):
    category()
    team = world.team.code
    text = "\n".join(
        [
            HEADER,
            f"B 1,Level off the scale,operational,{team},charlie,4,4,7,3,2,2,,,,,",
            f"B 2,Unknown category,nonsense,{team},charlie,4,4,3,3,2,2,,,,,",
            f"B 3,Unknown owner,operational,{team},nobody,4,4,3,3,2,2,,,,,",
            f"B 4,Target above current,operational,{team},charlie,4,4,2,2,3,3,,,,,",
            f"B 5,Bad date,operational,{team},charlie,4,4,3,3,2,2,Weekly,31-02-2027,,,",
            f"B 6,Unknown parent,operational,{team},charlie,4,4,3,3,2,2,,,ZZ 9,,NOPE",
            f"B 6,Twice,operational,{team},charlie,4,4,3,3,2,2,,,,,",
            f"B 7,A stranger's unit,operational,{world.other_group.code},charlie,x,4,3,3,2,2,,,,,",
        ]
    )
    result = run(world, text, commit=True)
    assert [(error.row, error.column, error.reason) for error in result.report.errors] == [
        (2, "current_likelihood", "The current likelihood must be between 1 and 5; 7 is outside the scale"),
        (3, "category", '"nonsense" is not a risk category (use its code or name)'),
        (4, "owner", 'no active person you can see has the username or e-mail "nobody"'),
        (
            5,
            "target_likelihood",
            "The target score (3 × 3 = 9) is above the current score (2 × 2 = 4); a target cannot be worse than now",
        ),
        (6, "review_frequency", '"Weekly" is not one of Monthly, Quarterly, Six-monthly, Annually'),
        (6, "next_review_date", '"31-02-2027" is not a date (use 2027-03-31 or 31/03/2027)'),
        (7, "parent_code", 'no risk you can see, nor an earlier row, has the code "ZZ 9"'),
        (7, "indicator_codes", "no PI you can see has the code NOPE"),
        (8, "code", "B 6 is also on row 7; give each risk one row"),
        (9, "org_unit", "you cannot give risks to Beta Group"),
        (9, "inherent_likelihood", '"x" is not a whole number'),
    ]
    assert not result.committed
    assert not Risk.objects.exists()


def test_an_existing_risk_is_changed_and_one_the_user_cannot_change_is_refused(risks, world):
    text = "\n".join(
        [
            HEADER,
            f"R 01,Renamed by import,operational,{world.team.code},charlie,4,4,3,4,2,2,,,,,",
            f"R 02,Not mine,operational,{world.other_directorate.code},alice,4,4,3,3,2,2,,,,,",
        ]
    )
    result = run(world, text, commit=True)
    assert [(e.row, e.column, e.reason) for e in result.report.errors] == [(3, "code", "R 02 is taken")]
    assert Risk.objects.get(code="R 01").title == "Arrears rise after benefit changes"
    result = run(world, text.rsplit("\n", 1)[0], commit=True)
    risk = Risk.objects.get(code="R 01")
    assert result.committed and (result.created, result.changed) == (0, 1)
    assert (risk.title, risk.version) == ("Renamed by import", risks.risk.version + 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,title\nX,Y\n", "Wrong columns (missing columns: category, current_impact"),
        (HEADER + ",colour\n", "Wrong columns (unknown column: colour)."),
    ],
)
def test_a_file_with_the_wrong_columns_is_refused_whole(world, text, message):
    with pytest.raises(FileFormatError) as caught:
        run(world, text, commit=False)
    assert str(caught.value).startswith(message)


def test_an_excel_register_is_imported(world):
    category()
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["X 1", "From Excel", "Operational", world.team.code, "charlie", 4, 4, 3, 3, 2, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_risks(
        upload=SimpleUploadedFile("risks.xlsx", buffer.getvalue()),
        file_name="risks.xlsx",
        user=world.manager,
        commit=True,
    )
    assert result.committed
    assert Risk.objects.get(code="X 1").current_score == 9


def test_a_downloaded_register_loads_back_unchanged(risks, world, client_for):
    client = client_for(world.admin)
    exported = client.get(reverse("risk-register"), {"export": "csv"}).getvalue()
    response = client.post(
        reverse("risk-import"), {"file": SimpleUploadedFile("register.csv", exported), "dry_run": "1"}
    )
    result = response.context["result"]
    assert result.report.ok, result.report.errors
    assert [(row.risk.code, row.change) for row in result.rows] == [("R 01", "change"), ("R 02", "change")]


def test_the_import_page_lists_errors_by_row_and_column(world, client_for):
    category()
    text = f"{HEADER}\nB 1,Level,operational,{world.team.code},charlie,4,4,7,3,2,2,,,,,\n"
    response = client_for(world.manager).post(
        reverse("risk-import"), {"file": SimpleUploadedFile("risks.csv", text.encode()), "commit": "1"}
    )
    html = response.content.decode()
    assert "1 problem found; nothing was saved" in html
    assert (
        '<td class="num">2</td><td>current_likelihood</td>'
        "<td>The current likelihood must be between 1 and 5; 7 is outside the scale</td>" in html
    )
    assert not Risk.objects.exists()


def test_a_file_over_the_import_limit_is_refused_on_the_file_field(world, client_for, settings):
    settings.IMPORT_MAX_BYTES = 100
    category()
    text = f"{HEADER}\n" + "x" * 200
    response = client_for(world.manager).post(
        reverse("risk-import"), {"file": SimpleUploadedFile("risks.csv", text.encode()), "commit": "1"}
    )
    assert response.context["form"].errors == {
        "file": ["The file is larger than 100 bytes, the most an import accepts; split it into smaller files."]
    }
    assert not Risk.objects.exists()
