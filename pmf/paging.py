"""Paging lists that a large organisation can fill with hundreds of thousands of rows.

`CappedPaginator` counts at most CAP rows (`SELECT count(*) FROM (... LIMIT CAP + 1)`), so a
backlog of 900,000 values costs a count of 10,001 index entries, not of 900,000 joined rows;
`more` says the list goes on beyond the pages offered. `page_rows` pages over narrow rows (ids)
and then loads the page's rows with their joins, so the database never sorts wide joined rows to
show a hundred.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at CAP; pages beyond CAP rows are not offered."""

    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **options):
        super().__init__(object_list, per_page, **options)
        self.cap = cap

    @cached_property
    def _found(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._found, self.cap)

    @property
    def more(self) -> bool:
        """Whether there are more rows than CAP."""
        return self._found > self.cap


def page_rows(ids, rows, per_page: int, number, *, cap: int = COUNT_CAP):
    """The page NUMBER (as given in a query string: invalid or out of range gives the first or last
    page) of the sorted id query IDS, with its object_list replaced by the rows of ROWS (a queryset
    with the joins the page shows) in the same order. Three queries: count, page of ids, rows."""
    page = CappedPaginator(ids, per_page, cap=cap).get_page(number)
    found = rows.in_bulk(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return page
