"""The SQL filters of the register give the same answers as the pure rules they stand for."""

import datetime
import itertools

from risks import status as rules
from risks.matrix import load_matrix
from risks.models import Risk
from risks.tests.factories import category, make_risk

D = datetime.date
TODAY = D(2026, 12, 1)


def test_above_appetite_in_sql_agrees_with_the_rule(world):
    appetites = {9: category("operational", 9), None: category("unbounded", None)}
    positions = [(2, 4), (3, 3), (2, 5), (3, 4), (4, 4)]  # scores 8, 9, 10, 12, 16
    acceptances = [(None, None), (D(2027, 1, 1), 12), (TODAY, 10), (D(2026, 11, 30), 16), (D(2027, 1, 1), None)]
    expected = set()
    number = 0
    for appetite, position, (until, accepted) in itertools.product(appetites, positions, acceptances):
        number += 1
        risk = make_risk(
            f"A {number}",
            unit=world.team,
            owner=world.updater,
            current=position,
            target=(1, 1),
            category=appetites[appetite],
        )
        Risk.objects.filter(pk=risk.pk).update(accepted_until=until, accepted_score=accepted)
        state = rules.appetite_state(
            score=rules.score(*position), appetite=appetite, accepted_until=until, accepted_score=accepted, today=TODAY
        )
        if state == rules.ABOVE:
            expected.add(risk.code)
    assert number == 50
    assert set(Risk.objects.above_appetite(TODAY).values_list("code", flat=True)) == expected
    assert len(expected) == 12


def test_review_overdue_in_sql_agrees_with_the_rule(world):
    expected = set()
    for number, (next_review, status) in enumerate(
        itertools.product([D(2026, 11, 30), TODAY, D(2026, 12, 2)], ["open", "closed"])
    ):
        risk = make_risk(
            f"O {number}", unit=world.team, owner=world.updater, next_review_date=next_review, status=status
        )
        if rules.is_review_overdue(next_review=next_review, today=TODAY, is_open=status == "open"):
            expected.add(risk.code)
    assert set(Risk.objects.review_overdue(TODAY).values_list("code", flat=True)) == expected == {"O 0"}


def test_band_filter_selects_exactly_the_cells_of_the_band(world):
    matrix = load_matrix()
    for likelihood, impact in itertools.product(range(1, 6), range(1, 6)):
        make_risk(
            f"C {likelihood}{impact}",
            unit=world.team,
            owner=world.updater,
            current=(likelihood, impact),
            inherent=(5, 5),
            target=(1, 1),
        )
    for band in matrix.bands:
        found = {risk.position("current") for risk in Risk.objects.in_band(matrix, band.rank)}
        assert found == {cell for cell in matrix.cells if matrix.band(*cell) == band}
        assert found


def test_viewers_read_their_organisations_register_and_nothing_else(world):
    inside = make_risk("IN 1", unit=world.team, owner=world.manager)
    make_risk("OUT 1", unit=world.other_group, owner=world.outsider)
    assert list(Risk.objects.visible_to(world.viewer)) == [inside]
    assert list(Risk.objects.editable_by(world.viewer)) == []


def test_owners_and_their_line_managers_edit_what_their_unit_managers_do(world):
    risk = make_risk("OWN 1", unit=world.other_directorate, owner=world.updater)
    assert list(Risk.objects.editable_by(world.updater)) == [risk]
    assert list(Risk.objects.editable_by(world.manager)) == [risk]  # charlie's line manager
    assert list(Risk.objects.editable_by(world.outsider)) == []
