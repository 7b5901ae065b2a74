"""The "changes to this scorecard" list: one timeline over the audit trails of a scorecard, its
sections and its entries, in four queries whatever its length."""

import datetime
from dataclasses import dataclass, field

from indicators.models import Indicator
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection

SKIP = {
    "id",
    "scorecard",
    "section",
    "indicator",
    "history_id",
    "history_date",
    "history_user",
    "history_type",
    "history_change_reason",
}
LIMIT = 500


@dataclass
class Change:
    when: datetime.datetime
    who: str
    what: str
    details: list[str] = field(default_factory=list)


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in SKIP]


def _show(model_field, value) -> str:
    if value in (None, ""):
        return "(blank)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _diff(model, older, newer) -> list[str]:
    details = []
    for model_field in _fields(model):
        attname = model_field.attname
        old, new = getattr(older, attname), getattr(newer, attname)
        if old != new:
            label = str(model_field.verbose_name).capitalize()
            details.append(f"{label}: {_show(model_field, old)} → {_show(model_field, new)}")
    return details


def _walk(records: list):
    """(record, previous record of the same object or None), oldest first."""
    last = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        yield record, last.get(record.id)
        last[record.id] = record


def _who(record) -> str:
    user = record.history_user
    return (user.name or user.username) if user is not None else "the system"


def scorecard_changes(scorecard: Scorecard) -> list[Change]:
    """Every recorded change to SCORECARD, newest first (at most LIMIT)."""
    own = list(Scorecard.history.filter(id=scorecard.pk).select_related("history_user"))
    sections = list(ScorecardSection.history.filter(scorecard_id=scorecard.pk).select_related("history_user"))
    entries = list(ScorecardEntry.history.filter(scorecard_id=scorecard.pk).select_related("history_user"))
    codes = dict(Indicator.objects.filter(pk__in={e.indicator_id for e in entries}).values_list("pk", "code"))
    section_titles = {}
    for record, _ in _walk(sections):
        section_titles[record.id] = record.title
    changes = []
    for record, older in _walk(own):
        if record.history_type == "+":
            changes.append(Change(record.history_date, _who(record), "Created the scorecard"))
        elif record.history_type == "-":
            changes.append(Change(record.history_date, _who(record), "Deleted the scorecard"))
        elif older is not None:
            details = _diff(Scorecard, older, record)
            if details:
                changes.append(Change(record.history_date, _who(record), "Changed the scorecard", details))
    for record, older in _walk(sections):
        name = f"section “{record.title}”"
        if record.history_type == "+":
            changes.append(Change(record.history_date, _who(record), f"Added {name}"))
        elif record.history_type == "-":
            changes.append(Change(record.history_date, _who(record), f"Removed {name}"))
        elif older is not None:
            details = _diff(ScorecardSection, older, record)
            if details:
                changes.append(Change(record.history_date, _who(record), f"Changed {name}", details))
    for record, older in _walk(entries):
        code = codes.get(record.indicator_id, f"PI #{record.indicator_id}")
        where = section_titles.get(record.section_id, "a removed section")
        if record.history_type == "+":
            changes.append(Change(record.history_date, _who(record), f"Added {code} to section “{where}”"))
        elif record.history_type == "-":
            changes.append(Change(record.history_date, _who(record), f"Removed {code} from section “{where}”"))
        elif older is not None:
            details = _diff(ScorecardEntry, older, record)
            if details:
                changes.append(Change(record.history_date, _who(record), f"Changed {code} in “{where}”", details))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:LIMIT]
