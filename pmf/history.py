"""Reading the audit trail: who changed what and when, field by field.

The one reader of django-simple-history rows: the history pages and panels, the scorecard change
list and the restatements of issued editions all compare and show records through this module, so
a value reads the same everywhere (a unit by its name, a choice by its label, a flag as Yes/No).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils.text import capfirst

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
SYSTEM = "the system"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    def __str__(self):
        return f"{self.label}: {self.old} → {self.new}"


@dataclass
class HistoryEntry:
    when: object
    user: object
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def who(self) -> str:
        return author(self.user)


def author(user) -> str:
    """How a change's author is named: their name, else their username; nobody is the system."""
    if user is None:
        return SYSTEM
    return user.name or user.username


def display(model_field, value, related_names: dict, *, limit: int | None = None) -> str:
    """VALUE of MODEL_FIELD as a person reads it. RELATED_NAMES maps (model, pk) to a name for
    foreign keys and many-to-many fields (whose VALUE is a set of pks); text longer than LIMIT
    characters is cut short."""
    if value is None or value == "" or value == frozenset():
        return "(blank)"
    if isinstance(model_field, models.ManyToManyField):
        model = model_field.related_model
        return ", ".join(sorted(related_names.get((model, pk), f"#{pk} (deleted)") for pk in value))
    if isinstance(model_field, models.ForeignKey):
        return related_names.get((model_field.related_model, value), f"#{value} (deleted)")
    if model_field.choices:
        text = str(dict(model_field.flatchoices).get(value, value))
    elif isinstance(model_field, models.BooleanField):
        text = "Yes" if value else "No"
    else:
        text = str(value)
    if limit is not None and len(text) > limit:
        return text[: limit - 3] + "..."
    return text


def _compared_fields(record, skip) -> list:
    """The fields of RECORD's model its history keeps and a person edits, in the model's order."""
    concrete = [f for f in record.tracked_fields if f.editable and not f.primary_key and f.name not in skip]
    return concrete + [f for f in record._history_m2m_fields if f.name not in skip]


def _m2m_values(records: list, m2m_fields: dict) -> dict:
    """{(history_id, field name): frozenset of related pks}: one query per many-to-many field."""
    values = defaultdict(set)
    for name, model_field in m2m_fields.items():
        with_field = [r for r in records if name in {f.name for f in r._history_m2m_fields}]
        if not with_field:
            continue
        through = getattr(with_field[0], name).model
        target = f"{model_field.m2m_reverse_field_name()}_id"
        for history_id, pk in through.objects.filter(history__in=[r.history_id for r in with_field]).values_list(
            "history_id", target
        ):
            values[(history_id, name)].add(pk)
    return {key: frozenset(pks) for key, pks in values.items()}


def _value(record, model_field, m2m_values) -> object:
    if isinstance(model_field, models.ManyToManyField):
        return m2m_values.get((record.history_id, model_field.name), frozenset())
    return getattr(record, model_field.attname)


def field_changes(pairs: list, *, skip=frozenset(), limit: int | None = None) -> list[list[FieldChange]]:
    """The changed fields of each (newer, older) pair of historical records of one object, labelled
    and shown for a person. A pair with no older record, or whose newer record is a creation or a
    deletion, has no field changes. SKIP names fields left out; LIMIT cuts long text.

    Related names (units, people, ...) are fetched in one query per related model and
    many-to-many values in one query per field, whatever the number of pairs."""
    compared = [
        _compared_fields(newer, skip) if older is not None and newer.history_type == "~" else []
        for newer, older in pairs
    ]
    m2m_fields = {f.name: f for fields in compared for f in fields if isinstance(f, models.ManyToManyField)}
    m2m_records = [
        record for (newer, older), fields in zip(pairs, compared, strict=True) if fields for record in (newer, older)
    ]
    m2m_values = _m2m_values(m2m_records, m2m_fields) if m2m_fields else {}

    raw = []
    wanted: dict = defaultdict(set)
    for (newer, older), fields in zip(pairs, compared, strict=True):
        changed = []
        for model_field in fields:
            old, new = _value(older, model_field, m2m_values), _value(newer, model_field, m2m_values)
            if old == new:
                continue
            changed.append((model_field, old, new))
            if isinstance(model_field, models.ManyToManyField):
                wanted[model_field.related_model].update(old | new)
            elif isinstance(model_field, models.ForeignKey):
                wanted[model_field.related_model].update(value for value in (old, new) if value is not None)
        raw.append(changed)
    related_names = {}
    for related_model, pks in wanted.items():
        for pk, obj in related_model._base_manager.in_bulk(pks).items():
            related_names[(related_model, pk)] = str(obj)
    return [
        [
            FieldChange(
                label=capfirst(str(model_field.verbose_name)),
                old=display(model_field, old, related_names, limit=limit),
                new=display(model_field, new, related_names, limit=limit),
            )
            for model_field, old, new in changed
        ]
        for changed in raw
    ]


def history_entries(records: list) -> list[HistoryEntry]:
    """Entries for RECORDS (historical rows of one object, newest first, each followed by its
    predecessor). The last record is compared with nothing, so pass one more record than you show."""
    if not records:
        return []
    pairs = list(zip(records, records[1:] + [None], strict=True))
    return [
        HistoryEntry(
            when=record.history_date,
            user=record.history_user,
            action=ACTIONS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
            changes=changes,
        )
        for (record, _), changes in zip(pairs, field_changes(pairs), strict=True)
    ]


def recent_history(obj, limit: int) -> list[HistoryEntry]:
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    return history_entries(records)[:limit]


def with_predecessors(records: list) -> list[tuple]:
    """(record, the previous record of the same object or None) for RECORDS (of one model, any
    number of objects), oldest first."""
    last = {}
    pairs = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        pairs.append((record, last.get(record.id)))
        last[record.id] = record
    return pairs


def last_changes(model, ids, *, after) -> dict:
    """{object id: its latest historical record made after AFTER} for the objects of MODEL with
    IDS, with the author loaded: one query."""
    latest = {}
    for record in (
        model.history.filter(id__in=list(ids), history_date__gt=after)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    ):
        latest.setdefault(record.id, record)
    return latest
