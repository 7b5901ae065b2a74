"""The scoring matrix as stored: loading it (reading never writes) and the admin's changes to it.

Until an admin saves a matrix, the default 5 x 5 matrix of risks.status is in force. Bands are
worked out from the matrix whenever a risk is shown, so a change re-bands every risk from then
on; reviews keep the band they were given on the day.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q

from risks import status as rules
from risks.models import MatrixCell, Risk, RiskBand, ScaleLevel

LEVEL_TEXT_FIELDS = ("label", "description", "finance", "reputation", "safety", "regulation")


def load_matrix() -> rules.Matrix:
    """The matrix in force (three queries)."""
    levels = list(ScaleLevel.objects.order_by("axis", "level"))
    bands = [rules.Band(b.rank, b.name, b.colour, b.shape) for b in RiskBand.objects.order_by("rank")]
    cells = {
        (likelihood, impact): rank
        for likelihood, impact, rank in MatrixCell.objects.values_list("likelihood", "impact", "band__rank")
    }
    if not levels or not bands or not cells:
        return rules.DEFAULT_MATRIX

    def scale(axis):
        return tuple(
            rules.Level(level.level, *(getattr(level, name) for name in LEVEL_TEXT_FIELDS))
            for level in levels
            if level.axis == axis
        )

    return rules.Matrix(likelihood=scale(rules.LIKELIHOOD), impact=scale(rules.IMPACT), bands=tuple(bands), cells=cells)


def highest_levels_in_use() -> tuple[int, int]:
    """The highest likelihood and impact any risk holds in any position."""
    found = Risk.objects.aggregate(
        **{
            f"{position}_{axis}": Max(f"{position}_{axis}")
            for position in rules.POSITIONS
            for axis in (rules.LIKELIHOOD, rules.IMPACT)
        }
    )
    likelihood = max((found[f"{p}_{rules.LIKELIHOOD}"] or 0) for p in rules.POSITIONS)
    impact = max((found[f"{p}_{rules.IMPACT}"] or 0) for p in rules.POSITIONS)
    return likelihood, impact


def matrix_errors(matrix: rules.Matrix) -> dict[str, str]:
    """Why MATRIX cannot be the matrix in force, keyed on the setting that is wrong."""
    errors = {}
    for axis, levels in ((rules.LIKELIHOOD, matrix.likelihood), (rules.IMPACT, matrix.impact)):
        if not rules.MIN_LEVELS <= len(levels) <= rules.MAX_LEVELS:
            errors[f"{axis}_levels"] = (
                f"The {axis} scale needs {rules.MIN_LEVELS} to {rules.MAX_LEVELS} levels; it has {len(levels)}."
            )
        for level in levels:
            if not level.label.strip():
                errors[f"{axis[0]}{level.level}_label"] = f"Give {axis} level {level.level} a label."
    names = [band.name.strip().lower() for band in matrix.bands]
    for band in matrix.bands:
        if names.count(band.name.strip().lower()) > 1:
            errors[f"band{band.rank}_name"] = f'Two bands are called "{band.name}"; each band needs its own word.'
    ranks = {band.rank for band in matrix.bands}
    for (likelihood, impact), rank in sorted(matrix.cells.items()):
        if rank not in ranks:
            errors[f"cell_{likelihood}_{impact}"] = (
                f"Likelihood {likelihood} × impact {impact} is in a band that has no name; name the band or "
                "choose another."
            )
    expected = {
        (likelihood, impact)
        for likelihood in range(1, len(matrix.likelihood) + 1)
        for impact in range(1, len(matrix.impact) + 1)
    }
    if not errors and set(matrix.cells) != expected:
        errors["__all__"] = "Every cell of the matrix needs a band."
    in_use_l, in_use_i = highest_levels_in_use()
    if in_use_l > len(matrix.likelihood):
        errors["likelihood_levels"] = (
            f"Risks are scored at likelihood {in_use_l}; re-score them before the scale drops below it."
        )
    if in_use_i > len(matrix.impact):
        errors["impact_levels"] = (
            f"Risks are scored at impact {in_use_i}; re-score them before the scale drops below it."
        )
    return errors


def _sync(model, existing: dict, wanted: dict, fields: tuple[str, ...]) -> None:
    """Make the rows of MODEL match WANTED ({key: {field: value}}), writing only what changes."""
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            model.objects.create(**values)
        elif any(getattr(row, name) != values[name] for name in fields):
            for name in fields:
                setattr(row, name, values[name])
            row.save()


@transaction.atomic
def save_matrix(*, matrix: rules.Matrix) -> rules.Matrix:
    """Store MATRIX as the matrix in force. Refused (ValidationError naming the setting) when it is
    incomplete, or smaller than the levels risks are scored at.

    Side effects: levels, bands and cells created, changed or deleted to match, each with a
    history row (rows that do not change get none). Risks are not rewritten: their bands are
    read from the matrix; reviews keep the band of their day."""
    errors = matrix_errors(matrix)
    if errors:
        raise ValidationError(errors)
    levels = {(level.axis, level.level): level for level in ScaleLevel.objects.select_for_update()}
    wanted_levels = {}
    for axis, scale in ((rules.LIKELIHOOD, matrix.likelihood), (rules.IMPACT, matrix.impact)):
        for level in scale:
            values = {name: getattr(level, name) for name in LEVEL_TEXT_FIELDS}
            if axis == rules.LIKELIHOOD:
                values.update(finance="", reputation="", safety="", regulation="")
            wanted_levels[(axis, level.level)] = {"axis": axis, "level": level.level, **values}
    _sync(ScaleLevel, levels, wanted_levels, LEVEL_TEXT_FIELDS)

    bands = {band.rank: band for band in RiskBand.objects.select_for_update()}
    # Names are unique: park the names of renamed bands first, so two bands can swap names.
    for rank, band in bands.items():
        if any(wanted.rank == rank and wanted.name.strip() != band.name for wanted in matrix.bands):
            band.name = f"(renaming {band.pk})"
            RiskBand.objects.filter(pk=band.pk).update(name=band.name)
    MatrixCell.objects.filter(~Q(band__rank__in=[b.rank for b in matrix.bands])).delete()
    _sync(
        RiskBand,
        bands,
        {
            b.rank: {"rank": b.rank, "name": b.name.strip(), "colour": b.colour.lower(), "shape": b.shape}
            for b in matrix.bands
        },
        ("name", "colour", "shape"),
    )
    band_ids = dict(RiskBand.objects.values_list("rank", "pk"))
    cells = {(c.likelihood, c.impact): c for c in MatrixCell.objects.select_for_update()}
    _sync(
        MatrixCell,
        cells,
        {
            cell: {"likelihood": cell[0], "impact": cell[1], "band_id": band_ids[rank]}
            for cell, rank in matrix.cells.items()
        },
        ("band_id",),
    )
    return load_matrix()


def resized(matrix: rules.Matrix, *, likelihood_levels: int, impact_levels: int) -> rules.Matrix:
    """MATRIX with its scales cut or grown to the given sizes (new levels and cells to describe)."""

    def fit(levels, size):
        kept = [level for level in levels if level.level <= size]
        return tuple(kept + [rules.placeholder_level(n) for n in range(len(kept) + 1, size + 1)])

    return rules.Matrix(
        likelihood=fit(matrix.likelihood, likelihood_levels),
        impact=fit(matrix.impact, impact_levels),
        bands=matrix.bands,
        cells=rules.resized_cells(matrix.cells, likelihood_levels, impact_levels),
    )
