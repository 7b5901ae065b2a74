"""The "Risks" section of snapshot pages (registered in pmf.registry.SNAPSHOT_SECTIONS): the open
risks of the snapshot's unit subtree and/or person (their owner), most severe first."""

from dataclasses import dataclass

from django.utils import timezone

from risks.matrix import load_matrix
from risks.models import Risk
from risks.rows import RiskRow, rows_for

KEY = "risks"
LABEL = "Risks"
SHOWN = 50


@dataclass
class SnapshotRisks:
    rows: list[RiskRow]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


def snapshot_risks(snapshot, user) -> SnapshotRisks | None:
    """The open, active risks USER may see of SNAPSHOT's unit subtree and/or person (the risks
    they own), highest current score first: at most SHOWN of them, with how many there are in all.
    None for a snapshot choosing PIs by tags or codes only (it has no unit or person to take risks
    from). A fixed number of queries whatever the number of risks."""
    if not (snapshot.unit_filter_id or snapshot.person_filter_id):
        return None
    risks = Risk.objects.visible_to(user).active().open()
    if snapshot.unit_filter_id:
        risks = risks.in_unit(snapshot.unit_filter)
    if snapshot.person_filter_id:
        risks = risks.filter(owner_id=snapshot.person_filter_id)
    shown = list(risks.for_listing().order_by("-current_score", "code")[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else risks.count()
    rows = rows_for(shown, load_matrix(), today=timezone.localdate()) if shown else []
    return SnapshotRisks(rows=rows, total=total)
