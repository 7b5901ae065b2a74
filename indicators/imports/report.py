"""What an import of values or definitions found and did."""

from dataclasses import dataclass, field

from indicators.models import ImportRun
from pmf.spreadsheets import RowReport


@dataclass(kw_only=True)
class ImportReport(RowReport):
    kind: str
    created: int = 0
    updated: int = 0
    committed: bool = False
    method: str = ""  # "copy" (set-based, PostgreSQL) or "rows" (row by row)
    # The file's row number of each checked (PI id, period), to name a row when writing it fails.
    row_of: dict = field(default_factory=dict, repr=False)

    def record_run(self, *, file_name: str, user) -> ImportRun:
        """The ImportRun row of this committed import (the import history admins see)."""
        return ImportRun.objects.create(
            kind=self.kind,
            file_name=file_name[:255],
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            user=user,
        )
