"""Formulas of calculated PIs: arithmetic over other PI codes, parsed with `ast` (never eval).

Allowed: numbers, PI codes (letters, digits and underscores, starting with a letter), + - * /,
unary minus and brackets, in at most MAX_LENGTH characters and MAX_DEPTH levels of operators
inside one another. Anything else is refused with a message saying what was found. The same
rules run when a formula is saved and each time it is evaluated, so a formula saved before a
rule existed gives a message, never an error in the save that triggered it.
"""

import ast
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CODE_WORD = re.compile(r"\b[A-Za-z][A-Za-z0-9_]*\b")
MAX_LENGTH = 1000
# Deep enough for a sum of 100 PIs; a tree deeper than this would exhaust the evaluator's stack.
MAX_DEPTH = 100


class FormulaError(ValueError):
    """A formula that cannot be parsed or evaluated; the message is for the person who wrote it."""


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def parse(formula: str) -> ast.Expression:
    text = (formula or "").strip()
    if not text:
        raise FormulaError("The formula is empty.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is longer than {MAX_LENGTH:,} characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        raise FormulaError(f"The formula {text!r} is not valid arithmetic.") from None
    if _depth(tree) > MAX_DEPTH:
        raise FormulaError(f"The formula has operators nested more than {MAX_DEPTH} levels deep; write it more simply.")
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
            if isinstance(node.value, float) and not math.isfinite(node.value):
                number = ast.get_source_segment(text, node) or repr(node.value)
                raise FormulaError(f"The number {number} in the formula is too large; use a finite number.")
            continue
        raise FormulaError(f"{ast.unparse(node)!r} is not allowed in a formula; use PI codes, numbers and + - * /.")
    return tree


def _depth(tree: ast.AST) -> int:
    """How many operators sit inside one another in TREE, counted without recursion."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            depth += 1
            deepest = max(deepest, depth)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return deepest


def codes_in(formula: str) -> set[str]:
    """The PI codes a formula uses."""
    return {node.id for node in ast.walk(parse(formula)) if isinstance(node, ast.Name)}


def codes_mentioned(formula: str) -> set[str]:
    """The PI codes a stored formula uses; for one that no longer passes `parse` (saved before a
    rule refused it), the code-like words in it, so a change to those PIs still reaches it."""
    try:
        return codes_in(formula)
    except FormulaError:
        return set(_CODE_WORD.findall(formula or ""))


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
        uses = codes_in(graph[current]) if current == code else codes_mentioned(graph[current])
        for used in sorted(uses):
            if used == code:
                return [*path, used]
            if used in graph and used not in path:
                found = visit(used, [*path, used])
                if found:
                    return found
        return None

    return visit(code, [code])
