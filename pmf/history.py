"""Reading the audit trail: who changed what and when, field by field."""

from dataclasses import dataclass, field

from django.db import models

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    user: object
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(model_field, value, related_names: dict) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(model_field, models.ForeignKey):
        return related_names.get((model_field.related_model, value), f"#{value} (deleted)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "Yes" if value else "No"
    return str(value)


def history_entries(records: list) -> list[HistoryEntry]:
    """Entries for RECORDS (historical rows, newest first, each followed by its predecessor).

    The last record is compared with nothing, so pass one more record than you show. Names of
    related objects are fetched in one query per related model, not one per change.
    """
    if not records:
        return []
    model = records[0].instance_type
    deltas = []
    wanted: dict = {}
    for newer, older in zip(records, records[1:] + [None], strict=True):
        delta = newer.diff_against(older) if older is not None and newer.history_type == "~" else None
        deltas.append(delta)
        for change in delta.changes if delta else ():
            model_field = model._meta.get_field(change.field)
            if isinstance(model_field, models.ForeignKey):
                for value in (change.old, change.new):
                    if value is not None:
                        wanted.setdefault(model_field.related_model, set()).add(value)
    related_names = {}
    for related_model, pks in wanted.items():
        for pk, obj in related_model._base_manager.in_bulk(pks).items():
            related_names[(related_model, pk)] = str(obj)

    entries = []
    for record, delta in zip(records, deltas, strict=True):
        changes = []
        for change in delta.changes if delta else ():
            model_field = model._meta.get_field(change.field)
            changes.append(
                FieldChange(
                    label=str(model_field.verbose_name).capitalize(),
                    old=_display(model_field, change.old, related_names),
                    new=_display(model_field, change.new, related_names),
                )
            )
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                action=ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def recent_history(obj, limit: int) -> list[HistoryEntry]:
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    return history_entries(records)[:limit]
