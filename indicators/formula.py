"""Formulas of calculated PIs: arithmetic over other PI codes, parsed with `ast` (never eval).

Allowed: numbers, PI codes (letters, digits and underscores, starting with a letter), + - * /,
unary minus and brackets. Anything else is refused with a message saying what was found.
"""

import ast
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class FormulaError(ValueError):
    """A formula that cannot be parsed or evaluated; the message is for the person who wrote it."""


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def parse(formula: str) -> ast.Expression:
    text = (formula or "").strip()
    if not text:
        raise FormulaError("The formula is empty.")
    if len(text) > 1000:
        raise FormulaError("The formula is longer than 1,000 characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise FormulaError(f"The formula {text!r} is not valid arithmetic.") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            if isinstance(node, ast.operator) and type(node) not in _OPERATORS:
                raise FormulaError("Only + - * / are allowed in a formula.")
            if isinstance(node, ast.unaryop) and not isinstance(node, ast.USub | ast.UAdd):
                raise FormulaError("Only + - * / are allowed in a formula.")
            continue
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Name):
            continue
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            continue
        raise FormulaError(f"{ast.unparse(node)!r} is not allowed in a formula; use PI codes, numbers and + - * /.")
    return tree


def codes_in(formula: str) -> set[str]:
    """The PI codes a formula uses."""
    return {node.id for node in ast.walk(parse(formula)) if isinstance(node, ast.Name)}


def evaluate(formula: str, values: Mapping[str, Decimal | None]) -> Decimal:
    """The formula's value given VALUES (code -> value for the period).

    Raises FormulaError for an unknown code, a missing input or a division by zero."""
    tree = parse(formula)

    def walk(node) -> Decimal:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise FormulaError(f"Unknown PI code {node.id} in the formula.")
            value = values[node.id]
            if value is None:
                raise FormulaError(f"No value for {node.id} in this period.")
            return value
        if isinstance(node, ast.UnaryOp):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        left, right = walk(node.left), walk(node.right)
        op = type(node.op)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if right == 0:
            raise FormulaError(f"Division by zero: {ast.unparse(node.right)} is 0 in this period.")
        try:
            return left / right
        except InvalidOperation:
            raise FormulaError("The formula gives no number for this period.") from None

    return walk(tree)


def find_cycle(code: str, formula: str, formulas: Mapping[str, str]) -> list[str] | None:
    """A chain of codes leading from CODE back to itself if FORMULA (the new formula of CODE)
    closes a loop, given FORMULAS (code -> formula of the other calculated PIs); else None."""
    graph = {**{key: value for key, value in formulas.items() if value}, code: formula}

    def visit(current: str, path: list[str]) -> list[str] | None:
        for used in sorted(codes_in(graph[current])):
            if used == code:
                return [*path, used]
            if used in graph and used not in path:
                found = visit(used, [*path, used])
                if found:
                    return found
        return None

    return visit(code, [code])
