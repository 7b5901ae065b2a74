"""The heat map: how many risks sit in each cell of the matrix, and the grid the page draws."""

from dataclasses import dataclass

from django.db.models import Count

from risks import status as rules


def cell_counts(risks, position: str) -> dict[tuple[int, int], int]:
    """{(likelihood, impact): number of RISKS} at POSITION, from one GROUP BY query."""
    likelihood, impact = f"{position}_likelihood", f"{position}_impact"
    rows = risks.order_by().values_list(likelihood, impact).annotate(count=Count("pk"))
    return {(row_l, row_i): count for row_l, row_i, count in rows.values_list(likelihood, impact, "count")}


@dataclass(frozen=True)
class Cell:
    likelihood: rules.Level
    impact: rules.Level
    band: rules.Band | None
    count: int
    url: str

    @property
    def score(self) -> int:
        return rules.score(self.likelihood.level, self.impact.level)


def grid(matrix: rules.Matrix, counts: dict, cell_url) -> list[dict]:
    """The rows of the heat map, most likely first, each with its cells by rising impact.
    CELL_URL(likelihood, impact) is where a cell's count leads."""
    return [
        {
            "level": likelihood,
            "cells": [
                Cell(
                    likelihood=likelihood,
                    impact=impact,
                    band=matrix.band(likelihood.level, impact.level),
                    count=counts.get((likelihood.level, impact.level), 0),
                    url=cell_url(likelihood.level, impact.level),
                )
                for impact in matrix.impact
            ],
        }
        for likelihood in reversed(matrix.likelihood)
    ]
