import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from indicators import imports, services
from indicators.models import ImportRun, Indicator, Measurement
from indicators.tests.factories import team_indicator
from pmf.spreadsheets import FileFormatError


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_dry_run_reports_row_column_and_reason_and_saves_nothing(world):
    team_indicator(world, code="AAA", max_value=D("100"))
    team_indicator(world, code="QQQ", frequency=Indicator.Frequency.QUARTERLY)
    upload = _csv(
        "code,period,value,target,commentary\n"
        "AAA,2025-01-01,95%,90,fine\n"
        "AAA,2025-02-01,abc,,\n"
        "ZZZ,2025-02-01,1,,\n"
        "AAA,2025-03-15,1,,\n"
        "QQQ,2025-05-01,1,,\n"
        "AAA,2025-04,101,,\n"
        "AAA,2025-01,96,,\n"
        "AAA,2025-05,,,\n"
    )
    report = imports.import_values(upload=upload, file_name="v.csv", user=world.updater, commit=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "value", "'abc' is not a number."),
        (4, "code", "'ZZZ' is not a PI you can update."),
        (5, "period", "15 Mar 2025 is not a monthly period of AAA; use 01 Mar 2025 (Mar 2025)."),
        (6, "period", "01 May 2025 is not a quarterly period of QQQ; use 01 Apr 2025 (Q1 2025/26)."),
        (7, "value", "101 is above the highest allowed value of AAA (100)."),
        (8, "period", "AAA 2025-01 already appears in row 2."),
        (9, "value", "Give a value, a target or both."),
    ]
    assert report.committed is False
    assert Measurement.objects.count() == 0


def test_commit_writes_values_with_status_and_refreshes_latest(world):
    indicator = team_indicator(world, code="AAA")
    upload = _csv('code,period,value,target,commentary\nAAA,2025-01-01,"1,0",,\n')
    report = imports.import_values(upload=upload, file_name="v.csv", user=world.updater, commit=True)
    assert [(e.column, e.reason) for e in report.errors] == [
        ("value", "'1,0' is ambiguous: use a full stop for decimals, e.g. 1234.5.")
    ]
    upload = _csv(
        "code,period,value,target,commentary\nAAA,2025-01-01,95,,good\nAAA,2025-02-01,80,85,poor\nAAA,2025-03-01,,92,\n"
    )
    report = imports.import_values(upload=upload, file_name="v.csv", user=world.updater, commit=True)
    assert (report.ok, report.committed, report.rows, report.created, report.updated) == (True, True, 3, 3, 0)
    assert list(Measurement.objects.order_by("period").values_list("value", "target", "status", "commentary")) == [
        (D("95"), D("90"), "green", "good"),
        (D("80"), D("85"), "red", "poor"),
        (None, D("92"), "unknown", ""),
    ]
    indicator.refresh_from_db()
    assert (indicator.latest_period, indicator.latest_status, indicator.short_trend) == (
        datetime.date(2025, 2, 1),
        "red",
        "worse",
    )
    assert ImportRun.objects.get().rows == 3
    again = imports.import_values(
        upload=_csv("code,period,value\nAAA,2025-01-01,96\n"), file_name="v.csv", user=world.updater, commit=True
    )
    assert (again.created, again.updated) == (0, 1)
    assert Measurement.objects.get(period=datetime.date(2025, 1, 1)).commentary == "good"


def test_wrong_columns_are_refused_before_any_row(world):
    with pytest.raises(FileFormatError) as caught:
        imports.import_values(
            upload=_csv("pi,when,value\nAAA,2025-01-01,1\n"), file_name="v.csv", user=world.updater, commit=True
        )
    assert str(caught.value) == (
        "Wrong columns (missing columns: code, period; unknown columns: pi, when). "
        "Expected: code, period, value, target, commentary."
    )


def test_import_from_excel(world):
    team_indicator(world, code="AAA")
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "period", "value"])
    sheet.append(["AAA", datetime.datetime(2025, 1, 1), 93.5])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    report = imports.import_values(upload=buffer, file_name="v.xlsx", user=world.updater, commit=True)
    assert report.ok and report.committed
    assert Measurement.objects.get().value == D("93.5")


def test_updater_cannot_import_values_of_someone_elses_pi(world):
    team_indicator(world, code="AAA", updater=None, owner=world.admin, org_unit=world.other_directorate)
    report = imports.import_values(
        upload=_csv("code,period,value\nAAA,2025-01-01,1\n"), file_name="v.csv", user=world.updater, commit=True
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "code")]


def test_approved_values_are_not_overwritten_by_an_import(world):
    indicator = team_indicator(world, code="AAA")
    Measurement.objects.create(
        indicator=indicator,
        period=datetime.date(2025, 1, 1),
        value=D("91"),
        approved_at=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC),
    )
    report = imports.import_values(
        upload=_csv("code,period,value\nAAA,2025-01-01,50\n"), file_name="v.csv", user=world.updater, commit=True
    )
    assert [(e.row, e.reason) for e in report.errors] == [
        (2, "AAA Jan 2025 has been approved and is locked; ask the performance team to reopen it.")
    ]
    assert Measurement.objects.get().value == D("91")


def test_definitions_import_checks_formulas_units_and_people(world):
    team_indicator(world, code="ARR_NUM")
    upload = _csv(
        "code,title,org_unit,unit,polarity,frequency,formula,owner,tags\n"
        "NEW1,New one,alpha-rents,%,up,monthly,,bob,Income;Rent\n"
        "NEW2,Bad unit,alpha-rents,furlongs,up,monthly,,,\n"
        "NEW3,Bad formula,alpha-rents,%,down,monthly,ARR_NUM / NOPE,,\n"
        "NEW4,Loop A,alpha-rents,%,down,monthly,NEW5 + 1,,\n"
        "NEW5,Loop B,alpha-rents,%,down,monthly,NEW4 + 1,,\n"
        "NEW6,Elsewhere,beta,%,up,monthly,,nobody,\n"
    )
    report = imports.import_definitions(upload=upload, file_name="d.csv", user=world.manager, commit=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "unit", "'furlongs' is not one of: days, gbp, number, per1000, percent, ratio."),
        (7, "org_unit", "'beta' is not an organisation unit you manage."),
        (7, "owner", "'nobody' is not a username of someone you can see."),
        (4, "formula", "Unknown PI code: NOPE."),
        (5, "formula", "The formula makes a cycle: NEW4 -> NEW5 -> NEW4."),
        (6, "formula", "The formula makes a cycle: NEW5 -> NEW4 -> NEW5."),
    ]
    assert not Indicator.objects.filter(code__startswith="NEW").exists()
    good = _csv(
        "code,title,org_unit,unit,polarity,frequency,formula,owner,tags\n"
        "NEW1,New one,alpha-rents,%,up,monthly,,bob,Income;Rent\n"
        "NEW3,Calculated,alpha-rents,%,down,monthly,ARR_NUM / NEW1 * 100,,\n"
    )
    report = imports.import_definitions(upload=good, file_name="d.csv", user=world.manager, commit=True)
    assert (report.ok, report.created) == (True, 2)
    new1 = Indicator.objects.get(code="NEW1")
    assert (new1.unit, new1.owner, sorted(new1.tags.values_list("name", flat=True))) == (
        "percent",
        world.manager,
        ["Income", "Rent"],
    )
    assert new1.history.count() == 1


def test_export_uses_the_import_format_and_round_trips(world, client_for):
    indicator = team_indicator(world, code="AAA")
    Measurement.objects.create(
        indicator=indicator,
        period=datetime.date(2025, 1, 1),
        value=D("91.5"),
        target=D("90"),
        commentary='=HYPERLINK("x")',
    )
    response = client_for(world.updater).get(reverse("indicator-export", kwargs={"kind": "values", "fmt": "csv"}))
    text = response.getvalue().decode("utf-8-sig")
    assert text.splitlines() == ["code,period,value,target,commentary", 'AAA,2025-01-01,91.5,90,"\'=HYPERLINK(""x"")"']
    Measurement.objects.all().delete()
    report = imports.import_values(
        upload=io.BytesIO(text.encode("utf-8-sig")), file_name="v.csv", user=world.updater, commit=True
    )
    assert report.ok and Measurement.objects.get().value == D("91.5")


def test_import_page_dry_run_then_commit(world, client_for):
    team_indicator(world, code="AAA")
    client = client_for(world.updater)
    data = b"code,period,value\nAAA,2025-01-01,93\n"
    response = client.post(
        reverse("indicator-import"), {"kind": "values", "file": SimpleUploadedFile("v.csv", data, "text/csv")}
    )
    assert response.status_code == 200 and "Dry run: no errors" in response.content.decode()
    assert Measurement.objects.count() == 0
    response = client.post(
        reverse("indicator-import"),
        {"kind": "values", "commit": "on", "file": SimpleUploadedFile("v.csv", data, "text/csv")},
    )
    assert response.status_code == 302
    assert Measurement.objects.get().value == D("93")


def test_import_page_names_wrong_columns(world, client_for):
    response = client_for(world.updater).post(
        reverse("indicator-import"), {"kind": "values", "file": SimpleUploadedFile("v.csv", b"x,y\n1,2\n", "text/csv")}
    )
    assert response.status_code == 400
    assert "Wrong columns (missing columns: code, period; unknown columns: x, y)" in response.content.decode()


def test_a_file_the_csv_reader_cannot_read_is_refused_with_its_line(world):
    team_indicator(world, code="AAA")
    with pytest.raises(FileFormatError) as caught:
        imports.import_values(
            upload=_csv("code,period,value\nAAA,2025-01-01,1\nAAA,2025-02-01,2\rAAA,2025-03-01,3\n"),
            file_name="v.csv",
            user=world.updater,
            commit=True,
            allow_copy=False,
        )
    assert str(caught.value).startswith("The file is not readable as CSV at line 3 (new-line character seen")
    assert Measurement.objects.count() == 0


def test_values_of_calculated_pis_are_refused_with_the_message_of_the_form(world):
    team_indicator(world, code="UPM")
    calc = team_indicator(world, code="CALC", formula="UPM * 2")
    report = imports.import_values(
        upload=_csv("code,period,value,target\nCALC,2025-01-01,50,\nCALC,2025-02-01,,95\n"),
        file_name="v.csv",
        user=world.updater,
        commit=True,
    )
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "value", "CALC is calculated from its formula; enter its inputs instead.")
    ]
    assert (report.committed, Measurement.objects.count()) == (False, 0)
    with pytest.raises(services.EntriesInvalid) as caught:
        services.measurement_update(indicator=calc, period=datetime.date(2025, 1, 1), value=D("95"), user=world.manager)
    assert caught.value.errors == {"CALC Jan 2025": {"value": report.errors[0].reason}}


def test_targets_outside_the_allowed_range_are_refused_and_nothing_turns_red(world):
    indicator = team_indicator(world, code="PCT", min_value=D("0"), max_value=D("100"))
    report = imports.import_values(
        upload=_csv('code,period,value,target\nPCT,2025-01-01,95,"1,234"\nPCT,2025-02-01,,-1\nPCT,2025-03-01,96,99\n'),
        file_name="v.csv",
        user=world.updater,
        commit=True,
    )
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "target", "1234 is above the highest allowed value of PCT (100)."),
        (3, "target", "-1 is below the lowest allowed value of PCT (0)."),
    ]
    assert (report.committed, Measurement.objects.count()) == (False, 0)
    indicator.refresh_from_db()
    assert indicator.latest_status == "unknown"


def test_one_dry_run_names_an_approved_value_and_a_bad_period_together(world):
    indicator = team_indicator(world, code="AAA")
    Measurement.objects.create(
        indicator=indicator,
        period=datetime.date(2025, 1, 1),
        value=D("91"),
        approved_at=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC),
    )
    report = imports.import_values(
        upload=_csv("code,period,value\nAAA,2025-01-01,50\nAAA,2025-02-15,60\nAAA,2025-03-01,70\n"),
        file_name="v.csv",
        user=world.updater,
        commit=False,
    )
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "value", "AAA Jan 2025 has been approved and is locked; ask the performance team to reopen it."),
        (3, "period", "15 Feb 2025 is not a monthly period of AAA; use 01 Feb 2025 (Feb 2025)."),
    ]
    assert list(Measurement.objects.values_list("value", flat=True)) == [D("91")]


def test_inactive_pis_take_values_in_the_import_as_in_their_single_period_form(world, client_for):
    indicator = team_indicator(world, code="OLD", active=False)
    response = client_for(world.updater).post(
        reverse("measurement-edit", kwargs={"pk": indicator.pk, "period": "2025-01-01"}),
        {f"pi{indicator.pk}-value": "91", f"pi{indicator.pk}-version": "0"},
    )
    assert response.status_code == 302
    report = imports.import_values(
        upload=_csv("code,period,value\nOLD,2025-02-01,92\n"), file_name="v.csv", user=world.updater, commit=True
    )
    assert (report.ok, report.committed, report.created) == (True, True, 1)
    assert list(Measurement.objects.order_by("period").values_list("period", "value", "status")) == [
        (datetime.date(2025, 1, 1), D("91"), "green"),
        (datetime.date(2025, 2, 1), D("92"), "green"),
    ]


DEFINITIONS_HEADER = "code,title,org_unit,unit,polarity,frequency,decimals,tolerance,min_value,max_value,active\n"


def test_definitions_are_judged_by_the_model_and_keep_the_friendly_forms(world):
    team_indicator(world, code="OLD", min_value=None, max_value=D("5"))
    upload = _csv(
        DEFINITIONS_HEADER + "NEW1,Range upside down,alpha-rents,number,up,monthly,,,10,5,\n"
        "OLD,Only a new lowest value,alpha-rents,number,up,monthly,,,10,,\n"
        f"{'C' * 41},Code too long,alpha-rents,number,up,monthly,,,,,\n"
        f"NEW2,{'T' * 301},alpha-rents,number,up,monthly,,,,,\n"
        "NEW3,Negative decimals,alpha-rents,number,up,monthly,-1,,,,\n"
        "NEW4,Fine tolerance,alpha-rents,number,up,monthly,,0.12345,,,\n"
        "NEW5,Unsure,alpha-rents,number,Sideways,monthly,,,,,maybe\n"
        "NEW6,,alpha-rents,number,up,,,,,,\n"
        'NEW7,Friendly forms,alpha-rents,%,Data only,Monthly,2,5%,"1,000","£2,000",No\n'
    )
    report = imports.import_definitions(upload=upload, file_name="d.csv", user=world.manager, commit=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "max_value", "The highest allowed value is below the lowest."),
        (3, "max_value", "The highest allowed value is below the lowest."),
        (4, "code", "Ensure this value has at most 40 characters (it has 41)."),
        (5, "title", "Ensure this value has at most 300 characters (it has 301)."),
        (6, "decimals", "Ensure this value is greater than or equal to 0."),
        (7, "tolerance", "Ensure that there are no more than 4 decimal places."),
        (8, "polarity", "'Sideways' is not one of: data, down, up."),
        (8, "active", "“maybe” value must be either True or False."),
        (9, "title", "This field cannot be blank."),
        (9, "frequency", "This field cannot be blank."),
    ]
    assert not report.committed
    assert not Indicator.objects.filter(code__startswith="NEW").exists()
    assert Indicator.objects.get(code="OLD").min_value is None
    report = imports.import_definitions(
        upload=_csv(
            DEFINITIONS_HEADER + 'NEW7,Friendly forms,alpha-rents,%,Data only,Monthly,2,5%,"1,000","£2,000",No\n'
        ),
        file_name="d.csv",
        user=world.manager,
        commit=True,
    )
    assert (report.ok, report.created) == (True, 1)
    assert Indicator.objects.filter(code="NEW7").values_list(
        "unit", "polarity", "frequency", "decimals", "tolerance", "min_value", "max_value", "active"
    ).get() == ("percent", "data", "monthly", 2, D("5"), D("1000"), D("2000"), False)
