"""Database lookups the whole project uses, registered once from PmfConfig.ready()."""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    """`in` on an integer column leaves out values the column cannot hold: no row can match them.

    Django already treats exact, gt, lt... this way; without it, SQLite raises OverflowError when a
    30-digit id arrives in a form's multiple choice (PostgreSQL simply finds nothing)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
