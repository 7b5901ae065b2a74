"""The content of a report, independent of how it is shown.

Section builders (pmf.registry.REPORT_SECTIONS) return lists of these blocks; one assembly feeds
the three renderers (PDF through WeasyPrint, the accessible web page, the Word document), so a
section is written once. Blocks hold plain text and numbers, never HTML: each renderer escapes.
"""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Status:
    """A traffic light or band, always with its word: code is a CSS/colour key ("red", "amber",
    "green", "none", or a risk band), word what a reader sees ("Off target")."""

    code: str
    word: str


type Cell = str | int | float | Status | None


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    status: Status | None = None


@dataclass(frozen=True)
class KeyFigures:
    """A row of big numbers (counts by status, totals)."""

    items: tuple[KeyFigure, ...]


@dataclass(frozen=True)
class Table:
    """A table whose header repeats across pages; NUMERIC names the columns aligned right."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    numeric: frozenset[int] = frozenset()
    wrap: frozenset[int] | None = None  # the columns whose text may wrap (None: every column)


@dataclass(frozen=True)
class Chart:
    """A chart drawn from the chart-series structure the Plotly charts use
    (indicators.charts.value_target_series: labels, values, targets)."""

    title: str
    series: dict
    description: str = ""  # text alternative, read out instead of the picture
    commentary: "Commentary | None" = None  # the owner's commentary shown with the chart


@dataclass(frozen=True)
class Commentary:
    """The owner's structured commentary on a result; all empty means none was given."""

    text: str = ""
    cause: str = ""
    action: str = ""
    recovery: datetime.date | None = None

    @property
    def missing(self) -> bool:
        return not (self.text or self.cause or self.action or self.recovery)


@dataclass(frozen=True)
class Signpost:
    """One PI as a signpost: big number, target, traffic light, trend, commentary."""

    code: str
    name: str
    value: str
    target: str
    status: Status
    trend: str
    commentary: Commentary | None = None
    chart: Chart | None = None


@dataclass(frozen=True)
class ExceptionItem:
    """One exception: what (RULE, e.g. "Red two months running"), on what (SUBJECT), whose
    (OWNER), the figures (DETAIL) and the owner's commentary (None: the report says it is missing)."""

    rule: str
    subject: str
    owner: str
    detail: str
    status: Status | None = None
    commentary: Commentary | None = None


@dataclass(frozen=True)
class Subsection:
    """A titled group of blocks inside a section (a scorecard section, a plan)."""

    title: str
    blocks: tuple = ()


@dataclass(frozen=True)
class Section:
    """A top-level section: one entry of the contents and of the PDF outline."""

    key: str
    title: str
    blocks: tuple = ()


@dataclass
class Report:
    title: str
    period_label: str
    scope_label: str
    audience: str = ""
    marking: str = ""
    generated: datetime.date | None = None  # the day the report was produced
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Cover:
    """The cover page: the report's title, period, scope, audience, marking and date come from the
    Report itself; NOTE is an optional line under them."""

    note: str = ""


@dataclass(frozen=True)
class ContentsEntry:
    anchor: str
    title: str
    level: int = 1


@dataclass(frozen=True)
class Contents:
    """The contents: the report's other sections (and their subsections), with page numbers in the
    PDF. Filled in by the assembly once every section is built."""

    entries: tuple[ContentsEntry, ...] = ()


@dataclass(frozen=True)
class Definition:
    """One PI in the appendix of definitions."""

    code: str
    name: str
    facts: tuple[tuple[str, str], ...] = ()  # (label, text): unit, polarity, frequency, owner...
    text: str = ""


def section_anchor(key: str) -> str:
    """The id of a top-level section in the PDF and the web page."""
    return f"s-{key}"


def subsection_anchor(key: str, index: int) -> str:
    return f"s-{key}-{index}"
