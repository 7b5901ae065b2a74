"""Export of PI definitions and values in the shape their imports read."""

from collections.abc import Iterable, Iterator

from indicators.imports import DEFINITION_COLUMNS, VALUE_COLUMNS
from indicators.models import Indicator
from pmf.spreadsheets import plain_number


def definition_rows(indicators: Iterable[Indicator]) -> Iterator[list]:
    yield DEFINITION_COLUMNS
    for ind in indicators:
        yield [
            ind.code,
            ind.title,
            ind.org_unit.code,
            ind.unit,
            ind.polarity,
            ind.frequency,
            ind.decimals,
            ind.ytd_rule,
            ind.tolerance_kind,
            plain_number(ind.tolerance),
            plain_number(ind.min_value),
            plain_number(ind.max_value),
            ind.owner.username if ind.owner else "",
            ind.updater.username if ind.updater else "",
            ind.source,
            ";".join(tag.name for tag in ind.tags.all()),
            ind.formula,
            ind.proxy_for.code if ind.proxy_for else "",
            "yes" if ind.active else "no",
            ind.description,
            ind.definition,
            ind.guidance,
        ]


def value_rows(measurements) -> Iterator[list]:
    yield VALUE_COLUMNS
    for code, period, value, target, commentary in measurements:
        yield [code, period.isoformat(), plain_number(value), plain_number(target), commentary]
