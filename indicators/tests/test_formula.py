from decimal import Decimal as D

import pytest

from indicators.formula import FormulaError, codes_in, evaluate, find_cycle


def test_formula_over_codes_evaluates_with_decimals():
    assert evaluate("ARR_NUM / ARR_DEN * 100", {"ARR_NUM": D("3"), "ARR_DEN": D("120")}) == D("2.5")


def test_formula_supports_brackets_unary_minus_and_numbers():
    assert evaluate("-(A - B) * 2 + 0.5", {"A": D("1"), "B": D("4")}) == D("6.5")


def test_codes_in_lists_every_code_once():
    assert codes_in("A + B * A / C_2") == {"A", "B", "C_2"}


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os').system('x')", "is not allowed in a formula"),
        ("A ** 2", "Only + - * / are allowed"),
        ("A // 2", "Only + - * / are allowed"),
        ("A.real", "is not allowed in a formula"),
        ("'text'", "is not allowed in a formula"),
        ("A +", "is not valid arithmetic"),
        ("", "The formula is empty."),
        ("not A", "Only + - * / are allowed"),
    ],
)
def test_unsafe_or_invalid_formulas_are_refused(formula, message):
    with pytest.raises(FormulaError, match=message.replace("*", r"\*").replace("+", r"\+")):
        evaluate(formula, {"A": D("1")})


def test_division_by_zero_names_the_divisor():
    with pytest.raises(FormulaError, match="Division by zero: B is 0 in this period."):
        evaluate("A / B", {"A": D("1"), "B": D("0")})


def test_missing_input_names_the_code():
    with pytest.raises(FormulaError, match="No value for B in this period."):
        evaluate("A / B", {"A": D("1"), "B": None})


def test_unknown_code_is_named():
    with pytest.raises(FormulaError, match="Unknown PI code ZZ in the formula."):
        evaluate("A + ZZ", {"A": D("1")})


def test_cycle_through_other_formulas_is_found():
    assert find_cycle("A", "B + 1", {"B": "C * 2", "C": "A - 1"}) == ["A", "B", "C", "A"]


def test_no_cycle_when_inputs_are_plain_values():
    assert find_cycle("A", "B + C", {"B": "D / E"}) is None
