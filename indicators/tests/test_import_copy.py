"""The set-based (COPY) import of values and its row-by-row fallback give the same results.

On PostgreSQL a CSV import first tries `indicators.bulkload` (report.method == "copy"); a file with
any row the strict SQL checks refuse goes row by row (report.method == "rows"). Each parity test
runs the same bytes through both paths from the same starting state (a savepoint rolled back in
between) and compares everything written.
"""

import datetime
import io
import itertools
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook

from indicators import bulkload, imports, rules
from indicators.models import ImportRun, Indicator, Measurement
from indicators.tests.factories import IndicatorFactory, TargetFactory, team_indicator
from pmf.spreadsheets import FileFormatError
from pmf.tests.services import need_postgres

HEADER = "code,period,value,target,commentary\n"
MEASUREMENT_FIELDS = (
    "indicator__code",
    "period",
    "value",
    "target",
    "status",
    "commentary",
    "cause",
    "action_taken",
    "data_quality_note",
    "calculation_error",
    "version",
    "entered_by__username",
    "approved_at",
)
LATEST_FIELDS = ("code", "latest_period", "latest_value", "latest_target", "latest_status", "short_trend", "long_trend")


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _import(text: str | bytes, user, *, allow_copy: bool, commit: bool = True, file_name: str = "values.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return imports.import_values(
        upload=io.BytesIO(data), file_name=file_name, user=user, commit=commit, allow_copy=allow_copy
    )


def _summary(report) -> tuple:
    return (
        report.ok,
        report.committed,
        report.rows,
        report.created,
        report.updated,
        [(e.row, e.column, e.reason) for e in report.errors],
    )


def _measurements() -> list[tuple]:
    return list(Measurement.objects.order_by("indicator__code", "period").values_list(*MEASUREMENT_FIELDS))


def _short_measurements() -> list[tuple]:
    return list(
        Measurement.objects.order_by("indicator__code", "period").values_list(
            "indicator__code", "period", "value", "target", "status", "commentary"
        )
    )


def _latest() -> list[tuple]:
    return list(Indicator.objects.order_by("code").values_list(*LATEST_FIELDS))


def _runs() -> list[tuple]:
    return list(ImportRun.objects.order_by("pk").values_list("kind", "file_name", "rows", "created", "updated", "user"))


def _state() -> dict:
    return {"measurements": _measurements(), "latest": _latest(), "runs": _runs()}


def _both_paths(scenario):
    """SCENARIO(allow_copy) run with the copy path allowed, then forbidden, from the same state."""
    results = []
    for allow_copy in (True, False):
        savepoint = transaction.savepoint_create()
        try:
            results.append(scenario(allow_copy))
        finally:
            transaction.savepoint_rollback(savepoint)
    return results


def _one_import(text, user, *, commit: bool = True):
    """Both paths for one file: ((method, summary, state) copy allowed, (...) copy forbidden)."""

    def scenario(allow_copy):
        report = _import(text, user, allow_copy=allow_copy, commit=commit)
        return report.method, _summary(report), _state()

    return _both_paths(scenario)


# A mixed file over several PIs ------------------------------------------------------------------


def _portfolio(world):
    """UPM: monthly, up, % PI whose own tolerance (0 %) differs from its targets' (90 ± 2 until
    Mar 2025, then 95 ± 10 %). DNQ: quarterly, down (90 ± 2, then 80 ± 5 % from Jul 2025).
    ANN: annual, data only. NOTG: no targets at all, own tolerance 5 %, range 0 to 100."""
    upm = team_indicator(world, code="UPM", tolerance_kind="percent", tolerance=D("0"))
    TargetFactory(
        indicator=upm, effective_from=_day("2025-04-01"), target=D("95"), tolerance_kind="percent", tolerance=D("10")
    )
    dnq = team_indicator(world, code="DNQ", polarity="down", frequency="quarterly", unit="number")
    TargetFactory(
        indicator=dnq, effective_from=_day("2025-07-01"), target=D("80"), tolerance_kind="percent", tolerance=D("5")
    )
    ann = team_indicator(world, code="ANN", polarity="data", frequency="annual", unit="gbp")
    IndicatorFactory(
        code="NOTG",
        org_unit=world.team,
        owner=world.manager,
        updater=world.updater,
        tolerance_kind="percent",
        tolerance=D("5"),
        min_value=D("0"),
        max_value=D("100"),
    )
    old = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
    Measurement.objects.create(
        indicator=upm,
        period=_day("2024-12-01"),
        value=D("91"),
        target=D("90"),
        status="green",
        commentary="untouched",
        version=5,
        entered_by=world.manager,
        entered_at=old,
    )
    Measurement.objects.create(
        indicator=upm,
        period=_day("2025-01-01"),
        value=D("70"),
        target=D("90"),
        status="red",
        commentary="old jan",
        cause="staff sickness",
        action_taken="agency cover",
        recovery_date=_day("2025-06-01"),
        data_quality_note="estimated",
        calculation_error="stale",
        version=3,
        entered_by=world.manager,
        entered_at=old,
    )
    Measurement.objects.create(
        indicator=dnq,
        period=_day("2025-01-01"),
        value=D("95"),
        target=D("90"),
        status="red",
        commentary="old q4",
        entered_by=world.manager,
        entered_at=old,
    )
    Measurement.objects.create(
        indicator=ann,
        period=_day("2023-04-01"),
        value=D("1000"),
        target=D("90"),
        status="data",
        entered_by=world.manager,
        entered_at=old,
        approved_by=world.admin,
        approved_at=old,
    )


FIRST = (
    HEADER + "UPM,2025-01,,70,\n"
    'UPM,2025-02,89,91,"said ""hi"", ok"\n'
    "UPM,2025-03-01,87,,\n"
    "UPM,2025-04,90,,café £\n"
    "UPM,2025-05,85,,\n"
    ",,,,\n"
    "UPM,2025-06,,97,target only\n"
    "UPM,2025-07,+93,97.,\n"
    "UPM,2025-08,.5,-1,\n"
    "DNQ,2025-01,88,,new q4\n"
    "DNQ,2025-04,91.5,,\n"
    "DNQ,2025-07,83,,\n"
    "DNQ,2025-10,85,81,\n"
    "ANN,2024-04,1234.5,,\n"
    "ANN,2025-04,,1500,\n"
    "NOTG,2025-01,47,50,\n"
    "NOTG,2025-02,49,50,\n"
    "NOTG,2025-03,0,,\n"
)
# Other column order, no commentary column: updates three rows, adds two.
SECOND = (
    "period,value,code,target\n2025-02,,UPM,89\n2025-06,99,UPM,\n2025-07,79,DNQ,\n2025-04,70,NOTG,\n2025-05,100,NOTG,\n"
)

OLD = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
AFTER_FIRST = [
    ("ANN", _day("2023-04-01"), D("1000"), D("90"), "data", "", "", "", "", "", 1, "bob", OLD),
    ("ANN", _day("2024-04-01"), D("1234.5"), D("90"), "data", "", "", "", "", "", 1, "charlie", None),
    ("ANN", _day("2025-04-01"), None, D("1500"), "unknown", "", "", "", "", "", 1, "charlie", None),
    ("DNQ", _day("2025-01-01"), D("88"), D("90"), "green", "new q4", "", "", "", "", 2, "charlie", None),
    ("DNQ", _day("2025-04-01"), D("91.5"), D("90"), "amber", "", "", "", "", "", 1, "charlie", None),
    ("DNQ", _day("2025-07-01"), D("83"), D("80"), "amber", "", "", "", "", "", 1, "charlie", None),
    ("DNQ", _day("2025-10-01"), D("85"), D("81"), "amber", "", "", "", "", "", 1, "charlie", None),
    ("NOTG", _day("2025-01-01"), D("47"), D("50"), "red", "", "", "", "", "", 1, "charlie", None),
    ("NOTG", _day("2025-02-01"), D("49"), D("50"), "amber", "", "", "", "", "", 1, "charlie", None),
    ("NOTG", _day("2025-03-01"), D("0"), None, "unknown", "", "", "", "", "", 1, "charlie", None),
    ("UPM", _day("2024-12-01"), D("91"), D("90"), "green", "untouched", "", "", "", "", 5, "bob", None),
    (
        "UPM",
        _day("2025-01-01"),
        D("70"),
        D("70"),
        "green",
        "old jan",
        "staff sickness",
        "agency cover",
        "estimated",
        "",
        4,
        "charlie",
        None,
    ),
    ("UPM", _day("2025-02-01"), D("89"), D("91"), "amber", 'said "hi", ok', "", "", "", "", 1, "charlie", None),
    ("UPM", _day("2025-03-01"), D("87"), D("90"), "red", "", "", "", "", "", 1, "charlie", None),
    ("UPM", _day("2025-04-01"), D("90"), D("95"), "amber", "café £", "", "", "", "", 1, "charlie", None),
    ("UPM", _day("2025-05-01"), D("85"), D("95"), "red", "", "", "", "", "", 1, "charlie", None),
    ("UPM", _day("2025-06-01"), None, D("97"), "unknown", "target only", "", "", "", "", 1, "charlie", None),
    ("UPM", _day("2025-07-01"), D("93"), D("97"), "amber", "", "", "", "", "", 1, "charlie", None),
    ("UPM", _day("2025-08-01"), D("0.5"), D("-1"), "green", "", "", "", "", "", 1, "charlie", None),
]


def _after_second() -> list[tuple]:
    rows = {(row[0], row[1]): row for row in AFTER_FIRST}
    for code, period, value, target, status, version in [
        ("UPM", "2025-02-01", D("89"), D("89"), "green", 2),
        ("UPM", "2025-06-01", D("99"), D("95"), "green", 2),
        ("DNQ", "2025-07-01", D("79"), D("80"), "green", 2),
        ("NOTG", "2025-04-01", D("70"), None, "unknown", 1),
        ("NOTG", "2025-05-01", D("100"), None, "unknown", 1),
    ]:
        old = rows.get((code, _day(period)), (code, _day(period), None, None, "", "", "", "", "", ""))
        rows[(code, _day(period))] = (code, _day(period), value, target, status, *old[5:10], version, "charlie", None)
    return sorted(rows.values(), key=lambda row: (row[0], row[1]))


def test_copy_and_rows_paths_write_the_same_new_and_updated_rows(world):
    need_postgres()
    _portfolio(world)
    started = timezone.now()

    def scenario(allow_copy):
        first = _import(FIRST, world.updater, allow_copy=allow_copy, file_name="first.csv")
        after_first = _state()
        untouched = Measurement.objects.filter(entered_at__lt=started).count()
        second = _import(SECOND, world.updater, allow_copy=allow_copy, file_name="second.csv")
        return {
            "methods": (first.method, second.method),
            "first": _summary(first),
            "after_first": after_first,
            "untouched": untouched,
            "second": _summary(second),
            "after_second": _state(),
            "recent": Measurement.objects.filter(entered_at__gte=started).count(),
        }

    copied, by_rows = _both_paths(scenario)
    assert copied["methods"] == ("copy", "copy")
    assert by_rows["methods"] == ("rows", "rows")
    for result in (copied, by_rows):
        assert result["first"] == (True, True, 17, 15, 2, [])
        assert result["after_first"]["measurements"] == AFTER_FIRST
        assert result["untouched"] == 2  # UPM 2024-12 and ANN 2023-04 kept their old entered_at
        assert result["second"] == (True, True, 5, 2, 3, [])
        assert result["after_second"]["measurements"] == _after_second()
        assert result["recent"] == 19
        assert result["after_second"]["latest"] == [
            ("ANN", _day("2024-04-01"), D("1234.5"), D("90"), "data", "", ""),
            ("DNQ", _day("2025-10-01"), D("85"), D("81"), "amber", "worse", "improving"),
            ("NOTG", _day("2025-05-01"), D("100"), None, "unknown", "improving", "improving"),
            ("UPM", _day("2025-08-01"), D("0.5"), D("-1"), "green", "worse", "worse"),
        ]
        assert result["after_second"]["runs"] == [
            ("values", "first.csv", 17, 15, 2, world.updater.pk),
            ("values", "second.csv", 5, 2, 3, world.updater.pk),
        ]
    assert copied["after_first"] == by_rows["after_first"]
    assert copied["after_second"] == by_rows["after_second"]


def test_update_keeps_recorded_value_and_commentary_and_uses_tolerance_in_force(world):
    need_postgres()
    indicator = team_indicator(world, code="AAA", tolerance_kind="absolute", tolerance=D("20"))
    Measurement.objects.create(
        indicator=indicator,
        period=_day("2025-01-01"),
        value=D("80"),
        target=D("90"),
        status="red",
        commentary="kept",
        cause="c",
        action_taken="a",
        data_quality_note="d",
        recovery_date=_day("2025-03-01"),
        calculation_error="x",
        version=7,
        entered_by=world.manager,
    )
    text = HEADER + "AAA,2025-01,,85,\nAAA,2025-02,86,89,\n"

    def scenario(allow_copy):
        report = _import(text, world.updater, allow_copy=allow_copy)
        kept = Measurement.objects.get(period=_day("2025-01-01"))
        return (
            report.method,
            _summary(report),
            _measurements(),
            (kept.recovery_date, kept.entered_at >= report_time),
        )

    report_time = timezone.now()
    copied, by_rows = _both_paths(scenario)
    expected = [
        # value kept, file target 85, tolerance of the target in force (±2, not the PI's ±20): red
        ("AAA", _day("2025-01-01"), D("80"), D("85"), "red", "kept", "c", "a", "d", "", 8, "charlie", None),
        # file target 89 with the tolerance in force (±2): 86 misses by 3, red
        ("AAA", _day("2025-02-01"), D("86"), D("89"), "red", "", "", "", "", "", 1, "charlie", None),
    ]
    assert copied == ("copy", (True, True, 2, 1, 1, []), expected, (_day("2025-03-01"), True))
    assert by_rows == ("rows", (True, True, 2, 1, 1, []), expected, (_day("2025-03-01"), True))


def test_pi_without_targets_uses_its_own_tolerance_in_both_paths(world):
    need_postgres()
    IndicatorFactory(
        code="BBB", org_unit=world.team, updater=world.updater, polarity="down", tolerance_kind="percent", tolerance=10
    )
    text = HEADER + "BBB,2025-01,54,50,\nBBB,2025-02,56,50,\nBBB,2025-03,50,,\n"
    copied, by_rows = _one_import(text, world.updater)
    expected = [
        ("BBB", _day("2025-01-01"), D("54"), D("50"), "amber", ""),
        ("BBB", _day("2025-02-01"), D("56"), D("50"), "red", ""),
        ("BBB", _day("2025-03-01"), D("50"), None, "unknown", ""),
    ]
    assert copied[:2] == ("copy", (True, True, 3, 3, 0, []))
    assert by_rows[:2] == ("rows", (True, True, 3, 3, 0, []))
    assert [row[:6] for row in copied[2]["measurements"]] == expected
    assert copied[2] == by_rows[2]


def test_calculated_pis_are_recalculated_after_a_copy_import(world):
    need_postgres()
    team_indicator(world, code="UPM")
    calc = IndicatorFactory(code="CALC", formula="UPM * 2", org_unit=world.team, owner=world.manager)
    TargetFactory(indicator=calc, effective_from=_day("2020-04-01"))
    text = HEADER + "UPM,2025-01,45,,\nUPM,2025-02,44,,\n"
    copied, by_rows = _one_import(text, world.updater)
    assert (copied[0], by_rows[0]) == ("copy", "rows")
    assert copied[2] == by_rows[2]
    assert [row[:5] for row in copied[2]["measurements"]] == [
        ("CALC", _day("2025-01-01"), D("90"), D("90"), "green"),
        ("CALC", _day("2025-02-01"), D("88"), D("90"), "amber"),
        ("UPM", _day("2025-01-01"), D("45"), D("90"), "red"),
        ("UPM", _day("2025-02-01"), D("44"), D("90"), "red"),
    ]
    assert copied[2]["latest"] == [
        ("CALC", _day("2025-02-01"), D("88"), D("90"), "amber", "worse", "worse"),
        ("UPM", _day("2025-02-01"), D("44"), D("90"), "red", "worse", "worse"),
    ]


def test_calculated_pi_targets_and_inactive_pi_values_are_taken_alike_by_both_paths(world):
    """The entry rules as both paths apply them: a calculated PI takes a target but no typed value
    (its value comes from its inputs); an inactive PI takes values, as its single-period form does."""
    need_postgres()
    team_indicator(world, code="UPM")
    team_indicator(world, code="CALC", formula="UPM * 2", max_value=D("200"))
    team_indicator(world, code="OLD", active=False, min_value=D("0"), max_value=D("100"))
    text = HEADER + "UPM,2025-01,45,,\nCALC,2025-01,,95,\nCALC,2025-02,,200,\nOLD,2025-01,91,100,\n"
    copied, by_rows = _one_import(text, world.updater)
    assert (copied[0], by_rows[0]) == ("copy", "rows")
    assert copied[1:] == by_rows[1:]
    assert copied[1] == (True, True, 4, 4, 0, [])
    assert [row[:5] for row in copied[2]["measurements"]] == [
        # The recalculated value (UPM * 2) against the target from the file.
        ("CALC", _day("2025-01-01"), D("90"), D("95"), "red"),
        ("CALC", _day("2025-02-01"), None, D("200"), "unknown"),
        ("OLD", _day("2025-01-01"), D("91"), D("100"), "red"),
        ("UPM", _day("2025-01-01"), D("45"), D("90"), "red"),
    ]


def test_more_than_six_decimals_colour_the_same_in_both_paths(world):
    need_postgres()
    team_indicator(world, code="AAA", tolerance=D("0"))
    TargetFactory(
        indicator=Indicator.objects.get(code="AAA"),
        effective_from=_day("2025-01-01"),
        target=D("90"),
        tolerance_kind="absolute",
        tolerance=D("0"),
    )
    copied, by_rows = _one_import(HEADER + "AAA,2025-01,89.9999995,,\nAAA,2025-02,90.0000004,,\n", world.updater)
    assert (copied[0], by_rows[0]) == ("copy", "rows")
    assert copied[2] == by_rows[2]


# Files the strict path leaves to the row-by-row import -------------------------------------------

LOOSE = [
    pytest.param("AAA,2025-01,95%,,\n", [("AAA", "2025-01-01", "95", "90", "green", "")], id="percent-sign"),
    pytest.param('AAA,2025-01,"1,234",,\n', [("AAA", "2025-01-01", "1234", "90", "green", "")], id="thousands"),
    pytest.param("AAA,2025-01, 89 ,,\n", [("AAA", "2025-01-01", "89", "90", "amber", "")], id="spaces-in-value"),
    pytest.param("AAA,2025-01,1e2,,\n", [("AAA", "2025-01-01", "100", "90", "green", "")], id="exponent"),
    pytest.param("AAA,2025-01,91,90%,\n", [("AAA", "2025-01-01", "91", "90", "green", "")], id="percent-target"),
    pytest.param("AAA,2025-03-01 ,87,,\n", [("AAA", "2025-03-01", "87", "90", "red", "")], id="spaces-in-period"),
    pytest.param("AAA,20250301,87,,\n", [("AAA", "2025-03-01", "87", "90", "red", "")], id="basic-iso-period"),
    pytest.param("AAA,1899-12,91,,\n", [("AAA", "1899-12-01", "91", None, "unknown", "")], id="year-1899"),
    pytest.param(" AAA,2025-01,91,,\n", [("AAA", "2025-01-01", "91", "90", "green", "")], id="spaces-in-code"),
    pytest.param(
        'AAA,2025-01,91,,"late \n"\n', [("AAA", "2025-01-01", "91", "90", "green", "late")], id="commentary-newline"
    ),
    pytest.param("AAA,2025-01,91,, early\n", [("AAA", "2025-01-01", "91", "90", "green", "early")], id="leading-space"),
    pytest.param("AAA,2025-01,91,,\u00a0nbsp\u00a0\n", [("AAA", "2025-01-01", "91", "90", "green", "nbsp")], id="nbsp"),
    pytest.param(
        "AAA,2025-01,91,,\n\nAAA,2025-02,92,,\n",
        [("AAA", "2025-01-01", "91", "90", "green", ""), ("AAA", "2025-02-01", "92", "90", "green", "")],
        id="blank-line",
    ),
    pytest.param(
        "AAA,2025-01,91\nAAA,2025-02,92,,\n",
        [("AAA", "2025-01-01", "91", "90", "green", ""), ("AAA", "2025-02-01", "92", "90", "green", "")],
        id="missing-cells",
    ),
    pytest.param("AAA,2025-01,91,,,extra\n", [("AAA", "2025-01-01", "91", "90", "green", "")], id="extra-cell"),
    pytest.param(
        "AAA,2025-01,91,,\nAAA,2025-02,88%,,\n",
        [("AAA", "2025-01-01", "91", "90", "green", ""), ("AAA", "2025-02-01", "88", "90", "amber", "")],
        id="one-loose-row-of-two",
    ),
]


@pytest.mark.parametrize(("body", "expected"), LOOSE)
def test_loose_forms_fall_back_to_rows_with_the_rows_result(world, body, expected):
    need_postgres()
    team_indicator(world, code="AAA")
    copied, by_rows = _one_import(HEADER + body, world.updater)
    assert copied[0] == "rows"
    assert copied[1:] == by_rows[1:]
    assert copied[1] == (True, True, len(expected), len(expected), 0, [])
    assert [row[:6] for row in copied[2]["measurements"]] == [
        (code, _day(period), D(value), None if target is None else D(target), status, commentary)
        for code, period, value, target, status, commentary in expected
    ]
    assert copied[2]["runs"] == [("values", "values.csv", len(expected), len(expected), 0, world.updater.pk)]


def test_whitespace_around_commentary_is_stripped_on_update_too(world):
    need_postgres()
    indicator = team_indicator(world, code="AAA")
    Measurement.objects.create(indicator=indicator, period=_day("2025-01-01"), value=D("80"), commentary="before")
    copied, by_rows = _one_import(HEADER + 'AAA,2025-01,91,,"late \n"\nAAA,2025-02,92,, \n', world.updater)
    assert (copied[0], by_rows[0]) == ("rows", "rows")
    assert copied[1:] == by_rows[1:]
    assert copied[1] == (True, True, 2, 1, 1, [])
    assert [row[:6] for row in copied[2]["measurements"]] == [
        ("AAA", _day("2025-01-01"), D("91"), D("90"), "green", "late"),
        ("AAA", _day("2025-02-01"), D("92"), D("90"), "green", ""),
    ]


ERRORS = [
    pytest.param("AAA,2025-02-01,abc,,\n", [(2, "value", "'abc' is not a number.")], id="not-a-number"),
    pytest.param("AAA,2025-02-01,1,x,\n", [(2, "target", "'x' is not a number.")], id="bad-target"),
    pytest.param("ZZZ,2025-02-01,1,,\n", [(2, "code", "'ZZZ' is not a PI you can update.")], id="unknown-code"),
    pytest.param(",2025-02-01,1,,\n", [(2, "code", "The code is blank.")], id="blank-code"),
    pytest.param("aaa,2025-02-01,1,,\n", [(2, "code", "'aaa' is not a PI you can update.")], id="code-case"),
    pytest.param(
        "AAA,2025-03-15,1,,\n",
        [(2, "period", "15 Mar 2025 is not a monthly period of AAA; use 01 Mar 2025 (Mar 2025).")],
        id="mid-month",
    ),
    pytest.param(
        "QQQ,2025-05-01,1,,\n",
        [(2, "period", "01 May 2025 is not a quarterly period of QQQ; use 01 Apr 2025 (Q1 2025/26).")],
        id="not-a-quarter",
    ),
    pytest.param(
        "ANN,2025-01,1,,\n",
        [(2, "period", "01 Jan 2025 is not an annual period of ANN; use 01 Apr 2024 (2024/25).")],
        id="not-a-financial-year",
    ),
    pytest.param(
        "AAA,25-05,1,,\n", [(2, "period", "'25-05' is not a date (use YYYY-MM-DD or YYYY-MM).")], id="bad-period"
    ),
    pytest.param(
        "AAA,2025-13,1,,\n", [(2, "period", "'2025-13' is not a date (use YYYY-MM-DD or YYYY-MM).")], id="month-13"
    ),
    pytest.param(
        "AAA,2025-04,101,,\n", [(2, "value", "101 is above the highest allowed value of AAA (100).")], id="above-max"
    ),
    pytest.param(
        "AAA,2025-04,-1,,\n", [(2, "value", "-1 is below the lowest allowed value of AAA (0).")], id="below-min"
    ),
    pytest.param(
        "AAA,2025-01,96,,\nAAA,2025-01-01,97,,\n",
        [(3, "period", "AAA 2025-01 already appears in row 2.")],
        id="duplicate",
    ),
    pytest.param("AAA,2025-05,,,\n", [(2, "value", "Give a value, a target or both.")], id="nothing-given"),
    pytest.param("AAA,2025-05,,,note\n", [(2, "value", "Give a value, a target or both.")], id="only-commentary"),
    pytest.param(
        "AAA,2025-01,91,,\nAAA,2024-12,50,,\n",
        [(3, "value", "AAA Dec 2024 has been approved and is locked; ask the performance team to reopen it.")],
        id="approved",
    ),
    pytest.param(
        "AAA,2024-12,,95,\n",
        [(2, "value", "AAA Dec 2024 has been approved and is locked; ask the performance team to reopen it.")],
        id="approved-target-only",
    ),
    pytest.param(
        "AAA,2025-01,91,,\nAAA,2025-02,abc,,\nZZZ,2025-02,1,,\n",
        [(3, "value", "'abc' is not a number."), (4, "code", "'ZZZ' is not a PI you can update.")],
        id="good-and-bad-rows",
    ),
    pytest.param(
        "AAA,2025-01,91,,\n\\.\nAAA,2025-02,92,,\n",
        [(3, "code", "'\\\\.' is not a PI you can update.")],
        id="end-of-copy-marker",
    ),
    pytest.param(
        "CALC,2025-01,50,,\n",
        [(2, "value", "CALC is calculated from its formula; enter its inputs instead.")],
        id="calculated-value",
    ),
    pytest.param(
        "CALC,2025-01,50,95,\n",
        [(2, "value", "CALC is calculated from its formula; enter its inputs instead.")],
        id="calculated-value-and-target",
    ),
    pytest.param(
        "AAA,2025-04,50,1234,\n",
        [(2, "target", "1234 is above the highest allowed value of AAA (100).")],
        id="target-above-max",
    ),
    pytest.param(
        "AAA,2025-04,,-5,\n", [(2, "target", "-5 is below the lowest allowed value of AAA (0).")], id="target-below-min"
    ),
    pytest.param(
        "AAA,2025-04,101,1234,\n",
        [
            (2, "value", "101 is above the highest allowed value of AAA (100)."),
            (2, "target", "1234 is above the highest allowed value of AAA (100)."),
        ],
        id="value-and-target-out-of-range",
    ),
    pytest.param(
        "AAA,2024-12,50,,\nAAA,2025-03-15,1,,\n",
        [
            (2, "value", "AAA Dec 2024 has been approved and is locked; ask the performance team to reopen it."),
            (3, "period", "15 Mar 2025 is not a monthly period of AAA; use 01 Mar 2025 (Mar 2025)."),
        ],
        id="approved-and-bad-period-in-one-pass",
    ),
    pytest.param(
        "AAA,2025-01,abc,,\nAAA,2024-12,,95,\n",
        [
            (2, "value", "'abc' is not a number."),
            (3, "value", "AAA Dec 2024 has been approved and is locked; ask the performance team to reopen it."),
        ],
        id="bad-number-and-approved-in-one-pass",
    ),
    pytest.param('AAA,2025-01,9"1",,\n', [(2, "value", "'9\"1\"' is not a number.")], id="quote-inside-value"),
    pytest.param(
        'A"AA",2025-01,91,,\n', [(2, "code", "'A\"AA\"' is not a PI you can update.")], id="quote-inside-code"
    ),
]


@pytest.mark.parametrize(("body", "errors"), ERRORS)
def test_errors_fall_back_to_rows_and_save_nothing(world, body, errors):
    need_postgres()
    indicator = team_indicator(world, code="AAA", min_value=D("0"), max_value=D("100"))
    team_indicator(world, code="QQQ", frequency="quarterly")
    team_indicator(world, code="ANN", frequency="annual")
    team_indicator(world, code="CALC", formula="AAA * 2")
    Measurement.objects.create(
        indicator=indicator,
        period=_day("2024-12-01"),
        value=D("91"),
        target=D("90"),
        status="green",
        approved_at=datetime.datetime(2025, 1, 5, tzinfo=datetime.UTC),
    )
    before = _state()
    rows = sum(1 for line in body.splitlines() if line.strip(","))
    copied, by_rows = _one_import(HEADER + body, world.updater)
    assert copied == ("rows", (False, False, rows, 0, 0, errors), before)
    assert by_rows == ("rows", (False, False, rows, 0, 0, errors), before)


def test_bad_utf8_is_refused_by_both_paths(world):
    need_postgres()
    team_indicator(world, code="AAA")
    for allow_copy in (True, False):
        with pytest.raises(FileFormatError) as caught:
            _import(HEADER.encode() + b"AAA,2025-01,91,,caf\xe9\n", world.updater, allow_copy=allow_copy)
        assert str(caught.value) == "The file is not UTF-8 text; save it as 'CSV UTF-8'."
    assert (Measurement.objects.count(), ImportRun.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (
            b"pi,when,value\nAAA,2025-01-01,1\n",
            "Wrong columns (missing columns: code, period; unknown columns: pi, when). "
            "Expected: code, period, value, target, commentary.",
        ),
        (
            b"code,period,value,value\nAAA,2025-01,1,2\n",
            "Wrong columns (a column appears twice). Expected: code, period, value, target, commentary.",
        ),
    ],
    ids=["empty", "wrong-columns", "repeated-column"],
)
def test_unreadable_files_are_refused_alike_by_both_paths(world, data, message):
    need_postgres()
    team_indicator(world, code="AAA")
    for allow_copy in (True, False):
        with pytest.raises(FileFormatError) as caught:
            _import(data, world.updater, allow_copy=allow_copy)
        assert str(caught.value) == message
    assert (Measurement.objects.count(), ImportRun.objects.count()) == (0, 0)


# Files the strict path takes ---------------------------------------------------------------------

STRICT = [
    pytest.param(HEADER + "AAA,2025-01,91,,\n,,,,\nAAA,2025-02,92,,\n", 2, id="all-blank-row"),
    pytest.param(HEADER + 'AAA,2025-01,91,,\n"","","","",""\nAAA,2025-02,92,,\n', 2, id="quoted-blank-row"),
    pytest.param("period,code,value\r\n2025-01,AAA,91\r\n2025-02,AAA,92\r\n", 2, id="crlf-other-order"),
    pytest.param("\ufeff" + HEADER + "AAA,2025-01,91,,\nAAA,2025-02,92,,", 2, id="bom-no-final-newline"),
    pytest.param(" Code , PERIOD ,Value\nAAA,2025-01,91\nAAA,2025-02,92\n", 2, id="header-spaces-and-case"),
]


@pytest.mark.parametrize(("text", "rows"), STRICT)
def test_plain_files_take_the_copy_path(world, text, rows):
    need_postgres()
    team_indicator(world, code="AAA")
    copied, by_rows = _one_import(text, world.updater)
    assert (copied[0], by_rows[0]) == ("copy", "rows")
    assert copied[1:] == by_rows[1:]
    assert copied[1] == (True, True, rows, rows, 0, [])
    assert [row[:6] for row in copied[2]["measurements"]] == [
        ("AAA", _day("2025-01-01"), D("91"), D("90"), "green", ""),
        ("AAA", _day("2025-02-01"), D("92"), D("90"), "green", ""),
    ]


def test_file_without_value_column_keeps_recorded_values_on_the_copy_path(world):
    need_postgres()
    indicator = team_indicator(world, code="AAA")
    Measurement.objects.create(
        indicator=indicator, period=_day("2025-01-01"), value=D("80"), target=D("90"), status="red", commentary="x"
    )
    copied, by_rows = _one_import("code,period,target\nAAA,2025-01,85\nAAA,2025-02,88\n", world.updater)
    assert (copied[0], by_rows[0]) == ("copy", "rows")
    assert copied[1:] == by_rows[1:]
    assert copied[1] == (True, True, 2, 1, 1, [])
    assert [row[:6] + row[10:12] for row in copied[2]["measurements"]] == [
        ("AAA", _day("2025-01-01"), D("80"), D("85"), "red", "x", 2, "charlie"),
        ("AAA", _day("2025-02-01"), None, D("88"), "unknown", "", 1, "charlie"),
    ]


def test_quotes_inside_an_unquoted_commentary_are_kept_as_the_rows_path_reads_them(world):
    need_postgres()
    team_indicator(world, code="AAA")
    copied, by_rows = _one_import(HEADER + 'AAA,2025-01,91,,say "hi" now\n', world.updater)
    assert copied[1:] == by_rows[1:]
    assert copied[2]["measurements"][0][5] == 'say "hi" now'


def test_header_only_file_writes_nothing_in_both_paths(world):
    need_postgres()
    team_indicator(world, code="AAA")
    copied, by_rows = _one_import(HEADER, world.updater)
    assert copied[1:] == by_rows[1:]
    assert copied[1] == (True, True, 0, 0, 0, [])
    assert copied[2]["measurements"] == []


def test_dry_run_on_the_copy_path_saves_nothing(world):
    need_postgres()
    team_indicator(world, code="AAA")
    text = HEADER + "AAA,2025-01,91,,\nAAA,2025-02,85,,\n"
    copied, by_rows = _one_import(text, world.updater, commit=False)
    assert copied[:2] == ("copy", (True, False, 2, 0, 0, []))
    assert by_rows[:2] == ("rows", (True, False, 2, 0, 0, []))
    assert copied[2] == by_rows[2]
    assert (copied[2]["measurements"], copied[2]["runs"]) == ([], [])
    assert copied[2]["latest"] == [("AAA", None, None, None, "unknown", "", "")]
    # The dry run left nothing behind that stops a real import in the same transaction.
    report = _import(text, world.updater, allow_copy=True)
    assert (report.method, _summary(report)) == ("copy", (True, True, 2, 2, 0, []))
    assert _short_measurements() == [
        ("AAA", _day("2025-01-01"), D("91"), D("90"), "green", ""),
        ("AAA", _day("2025-02-01"), D("85"), D("90"), "red", ""),
    ]


def test_excel_and_allow_copy_false_go_row_by_row_and_csv_defaults_to_copy(world):
    need_postgres()
    team_indicator(world, code="AAA")
    book = Workbook()
    book.active.append(["code", "period", "value"])
    book.active.append(["AAA", "2025-01", 91])
    buffer = io.BytesIO()
    book.save(buffer)
    report = _import(buffer.getvalue(), world.updater, allow_copy=True, file_name="values.xlsx")
    assert (report.method, _summary(report)) == ("rows", (True, True, 1, 1, 0, []))
    report = _import(HEADER + "AAA,2025-02,92,,\n", world.updater, allow_copy=False)
    assert (report.method, _summary(report)) == ("rows", (True, True, 1, 1, 0, []))
    report = imports.import_values(
        upload=io.BytesIO(b"code,period,value\nAAA,2025-03,93\n"), file_name="v.csv", user=world.updater, commit=True
    )
    assert (report.method, _summary(report)) == ("copy", (True, True, 1, 1, 0, []))
    assert _short_measurements() == [
        ("AAA", _day("2025-01-01"), D("91"), D("90"), "green", ""),
        ("AAA", _day("2025-02-01"), D("92"), D("90"), "green", ""),
        ("AAA", _day("2025-03-01"), D("93"), D("90"), "green", ""),
    ]


# Access -----------------------------------------------------------------------------------------


def test_pis_the_user_may_not_update_are_refused_by_both_paths(world):
    need_postgres()
    team_indicator(world, code="AAA", updater=None, owner=world.admin, org_unit=world.other_directorate)
    team_indicator(world, code="OWN")
    text = HEADER + "OWN,2025-01,91,,\nAAA,2025-01,91,,\n"
    for user, errors in [
        (world.updater, [(3, "code", "'AAA' is not a PI you can update.")]),
        (
            world.viewer,
            [(2, "code", "'OWN' is not a PI you can update."), (3, "code", "'AAA' is not a PI you can update.")],
        ),
        (
            world.outsider,
            [(2, "code", "'OWN' is not a PI you can update."), (3, "code", "'AAA' is not a PI you can update.")],
        ),
    ]:
        copied, by_rows = _one_import(text, user)
        assert copied == by_rows == ("rows", (False, False, 2, 0, 0, errors), copied[2])
        assert (copied[2]["measurements"], copied[2]["runs"]) == ([], [])


def test_manager_and_admin_import_through_the_copy_path(world):
    need_postgres()
    team_indicator(world, code="OWN")
    for user in (world.manager, world.admin):
        copied, by_rows = _one_import(HEADER + "OWN,2025-01,91,,\n", user)
        assert (copied[0], by_rows[0]) == ("copy", "rows")
        assert copied[1:] == by_rows[1:]
        assert [row[:12] for row in copied[2]["measurements"]] == [
            ("OWN", _day("2025-01-01"), D("91"), D("90"), "green", "", "", "", "", "", 1, user.username)
        ]


# status_sql agrees with traffic_light ------------------------------------------------------------


def test_status_sql_matches_traffic_light_for_every_case(db):
    need_postgres()
    numbers = [None, D("0"), D("-5"), D("2"), D("1.9999"), D("4.5"), D("7"), D("85.5"), D("87.75"), D("89.9999")]
    numbers += [D("90"), D("90.0001"), D("92.25"), D("94.5"), D("95"), D("100")]
    targets = [None, D("0"), D("-5"), D("4.5"), D("90"), D("100")]
    tolerances = [None, D("0"), D("5"), D("2.5"), D("-5")]
    cases = list(itertools.product(numbers, targets, ["up", "down", "data"], ["percent", "absolute"], tolerances))
    rows = ", ".join(["(%s::int, %s::numeric, %s::numeric, %s::text, %s::text, %s::numeric)"] * len(cases))
    params = [item for n, case in enumerate(cases) for item in (n, *case)]
    expression = bulkload.status_sql("t.v", "t.tg", "t.p", "t.k", "t.tol")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.n, {expression} FROM (VALUES {rows}) AS t(n, v, tg, p, k, tol) ORDER BY t.n", params)
        found = [status for _, status in cursor.fetchall()]
    expected = [
        rules.traffic_light(value=v, target=tg, polarity=p, tolerance_kind=k, tolerance=tol)
        for v, tg, p, k, tol in cases
    ]
    assert len(found) == len(cases) == 2880
    mismatches = [
        (case, sql, python) for case, sql, python in zip(cases, found, expected, strict=True) if sql != python
    ]
    assert mismatches == []
    assert set(expected) == {"green", "amber", "red", "data", "unknown"}
