"""Import of PI values and targets, and of PI definitions, from CSV and Excel files.

- `values`: values, targets and commentary per (code, period), held to the entry rules of
  `indicators.entry`; on PostgreSQL a CSV goes first through `indicators.bulkload`, its fast path;
- `definitions`: PI definitions keyed by code, judged by the model's own full_clean().
Both check every row first and write only a file without errors. Exports in the same shape are
`indicators.exports`.
"""

from indicators.imports.definitions import DEFINITION_COLUMNS, import_definitions
from indicators.imports.report import ImportReport
from indicators.imports.values import VALUE_COLUMNS, import_values

__all__ = ["DEFINITION_COLUMNS", "VALUE_COLUMNS", "ImportReport", "import_definitions", "import_values"]
