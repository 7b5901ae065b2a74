"""Writes to indicators: values, approvals, targets, calculated PIs and the refresh of derived fields.

One module per seam; callers use `from indicators import services` and the names below.
- `values`: saving values (the monthly update, the single-period form), approval, reopening;
- `targets`: effective-dated targets, the colour a target gives, setting a target;
- `calculated`: formula checks and recalculation of calculated PIs;
- `latest`: the latest-value fields of each PI.
What may be entered at all (periods, ranges, calculated PIs, locks) is `indicators.entry`.
"""

from indicators.services.calculated import recalculate_dependants, validate_formula
from indicators.services.latest import latest_fields, refresh_latest
from indicators.services.targets import colour, set_target, targets_by_indicator
from indicators.services.values import (
    EntriesInvalid,
    ValueInput,
    approve,
    can_approve,
    measurement_conflict,
    measurement_update,
    reopen,
    save_values,
)

__all__ = [
    "EntriesInvalid",
    "ValueInput",
    "approve",
    "can_approve",
    "colour",
    "latest_fields",
    "measurement_conflict",
    "measurement_update",
    "recalculate_dependants",
    "refresh_latest",
    "reopen",
    "save_values",
    "set_target",
    "targets_by_indicator",
    "validate_formula",
]
