"""What a report run is asked for: the contract between Report Central (definitions, runs, the
Celery task) and the assembly of a report's content (sections, exception rules, renderers).

A ReportDefinition stores its choices; a ReportRun stores `RunParameters.as_dict()` exactly as run
(so the history shows what was asked for, and a rerun asks for the same); the task rebuilds the
parameters with `RunParameters.from_dict()` and hands a ReportContext to every section builder
(pmf.registry.REPORT_SECTIONS).
"""

import datetime
from dataclasses import asdict, dataclass, field

# kind -> label. The kinds a ReportSection offers itself to are keys of this dict.
KINDS = {
    "board": "Board dossier",
    "exceptions": "Exception report",
    "scorecard": "Scorecard report",
    "full-suite": "Full Suite of PIs",
    "actions": "Action progress",
    "risks": "Risk register",
    "assessment": "Assessment report",
    "tenants": "Tenant summary",
}

# scope kind -> label: what a report is about (one object of that kind, by id)
SCOPES = {
    "unit": "Organisation unit",
    "scorecard": "Scorecard",
    "snapshot": "Snapshot",
    "plan": "Plan",
    "risk-category": "Risk category",
    "assessment": "Assessment",
}

# Exception rule settings (per definition); the defaults a new definition starts with.
DEFAULT_EXCEPTION_SETTINGS = {
    "red": True,  # PIs whose status is red in the period
    "amber_periods": 2,  # amber this many periods running (0 = off)
    "long_trend_worse": True,  # the long trend is getting worse
    "missed_periods": 3,  # target missed in each of the last N periods (0 = off)
    "overdue_actions": True,
    "check_progress_actions": True,
    "risks_above_appetite": True,
    "risks_rising": True,
    "assessment_gap_levels": 1,  # a response this many levels or more below its target (0 = off)
}


@dataclass(frozen=True)
class RunParameters:
    """Everything a run needs, as plain JSON-able values."""

    kind: str
    title: str
    period: datetime.date  # first day of the month reported on
    scope: str = "unit"  # a key of SCOPES
    scope_id: int | None = None  # None with scope "unit" means the runner's whole organisation
    audience: str = ""  # free text shown on the cover, e.g. "Board, 14 January 2027"
    marking: str = ""  # protective marking printed in every footer, e.g. "OFFICIAL"
    sections: tuple[str, ...] = ()  # REPORT_SECTIONS keys, in the report's order
    charts: bool = True
    commentary: bool = True
    last_year: bool = False  # compare with the same period last year
    exceptions: dict = field(default_factory=lambda: dict(DEFAULT_EXCEPTION_SETTINGS))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["period"] = self.period.isoformat()
        data["sections"] = list(self.sections)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "RunParameters":
        values = dict(data)
        values["period"] = datetime.date.fromisoformat(values["period"])
        values["sections"] = tuple(values.get("sections", ()))
        values["exceptions"] = {**DEFAULT_EXCEPTION_SETTINGS, **values.get("exceptions", {})}
        return cls(**values)


@dataclass
class ReportContext:
    """What a section builder receives: the parameters, the person the report is run for (every
    query goes through visible_to(user)), and `today` (the date the run started)."""

    params: RunParameters
    user: object
    today: datetime.date
    cache: dict = field(default_factory=dict)  # shared between sections of one run (e.g. the PI rows)
