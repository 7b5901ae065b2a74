"""The "changes to this scorecard" list: one timeline over the audit trails of a scorecard, its
sections and its entries, in a fixed number of queries whatever its length (the records are read
and compared by pmf.history, like every other history page)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from indicators.models import Indicator
from pmf.history import author, field_changes, with_predecessors
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection

# Fields each line already names ("Added PIA to section ...") are not listed as changes, nor is
# sharing, which the scorecard's settings page shows.
SKIP = frozenset({"scorecard", "section", "indicator", "shared_with"})
# One line per changed field, so long commentary is cut short.
VALUE_LIMIT = 80
LIMIT = 500


@dataclass
class Change:
    when: datetime.datetime
    who: str
    what: str
    details: list[str] = field(default_factory=list)


def _timeline(records: list, phrases: Callable[[object], tuple[str, str, str]]) -> list[Change]:
    """Changes for RECORDS (historical rows of one model). PHRASES(record) gives what a creation,
    a deletion and a change of that record says; a change that altered no listed field is left out."""
    pairs = with_predecessors(records)
    changes = []
    for (record, _), fields in zip(pairs, field_changes(pairs, skip=SKIP, limit=VALUE_LIMIT), strict=True):
        created, deleted, changed = phrases(record)
        who = author(record.history_user)
        if record.history_type == "+":
            changes.append(Change(record.history_date, who, created))
        elif record.history_type == "-":
            changes.append(Change(record.history_date, who, deleted))
        elif fields:
            changes.append(Change(record.history_date, who, changed, [str(change) for change in fields]))
    return changes


def scorecard_changes(scorecard: Scorecard) -> list[Change]:
    """Every recorded change to SCORECARD, newest first (at most LIMIT)."""
    own = list(Scorecard.history.filter(id=scorecard.pk).select_related("history_user"))
    sections = list(ScorecardSection.history.filter(scorecard_id=scorecard.pk).select_related("history_user"))
    entries = list(ScorecardEntry.history.filter(scorecard_id=scorecard.pk).select_related("history_user"))
    codes = dict(Indicator.objects.filter(pk__in={e.indicator_id for e in entries}).values_list("pk", "code"))
    section_titles = {record.id: record.title for record, _ in with_predecessors(sections)}

    def section_phrases(record):
        name = f"section “{record.title}”"
        return f"Added {name}", f"Removed {name}", f"Changed {name}"

    def entry_phrases(record):
        code = codes.get(record.indicator_id, f"PI #{record.indicator_id}")
        where = section_titles.get(record.section_id, "a removed section")
        return (
            f"Added {code} to section “{where}”",
            f"Removed {code} from section “{where}”",
            f"Changed {code} in “{where}”",
        )

    changes = _timeline(own, lambda record: ("Created the scorecard", "Deleted the scorecard", "Changed the scorecard"))
    changes += _timeline(sections, section_phrases)
    changes += _timeline(entries, entry_phrases)
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:LIMIT]
