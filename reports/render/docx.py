"""A report as a Word document (python-docx) for Board secretaries who edit papers: the same
blocks as the PDF, as real headings (the navigation pane and the contents field use them), tables
with a repeating header row, editable commentary, and each chart as the table of its figures."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports import content


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)
    no_split = OxmlElement("w:cantSplit")
    no_split.set(qn("w:val"), "true")
    properties.append(no_split)


def _keep_row(row) -> None:
    no_split = OxmlElement("w:cantSplit")
    no_split.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(no_split)


def _text(value) -> str:
    if isinstance(value, content.Status):
        return value.word
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class WordWriter:
    def __init__(self, report: content.Report):
        self.report = report
        self.document = Document()
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        properties = self.document.core_properties
        properties.title = f"{report.title} – {report.period_label}"
        properties.subject = report.scope_label
        properties.language = "en-GB"
        header = section.header.paragraphs[0]
        header.text = f"{report.title} – {report.period_label}"
        if report.marking:
            section.footer.paragraphs[0].text = report.marking
        style = self.document.styles["Normal"]
        style.font.size = Pt(10)

    def write(self) -> bytes:
        has_cover = False
        for section in self.report.sections:
            if any(isinstance(block, content.Cover) for block in section.blocks):
                self.cover()
                has_cover = True
                continue
            if any(isinstance(block, content.Contents) for block in section.blocks):
                self.contents(next(b for b in section.blocks if isinstance(b, content.Contents)))
                continue
            if not has_cover and section is self.report.sections[0]:
                self.document.add_heading(self.report.title, level=0)
                self.document.add_paragraph(f"{self.report.period_label} · {self.report.scope_label}")
            self.document.add_heading(section.title, level=1)
            for block in section.blocks:
                self.block(block, 2)
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

    def cover(self) -> None:
        report = self.report
        self.document.add_heading(report.title, level=0)
        facts = [("Period", report.period_label), ("Scope", report.scope_label)]
        if report.audience:
            facts.append(("For", report.audience))
        if report.generated:
            facts.append(("Produced", f"{report.generated:%d %b %Y}"))
        if report.marking:
            facts.append(("Marking", report.marking))
        for label, text in facts:
            paragraph = self.document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(text)
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self, block: content.Contents) -> None:
        self.document.add_heading("Contents", level=1)
        for entry in block.entries:
            paragraph = self.document.add_paragraph(entry.title, style="List Number" if entry.level == 1 else None)
            if entry.level > 1:
                paragraph.paragraph_format.left_indent = Mm(8)

    def block(self, block, level: int) -> None:
        match block:
            case content.Paragraph():
                self.document.add_paragraph(block.text)
            case content.KeyFigures():
                self.table(("Measure", "Count"), [(item.label, item.value) for item in block.items], "")
            case content.Table():
                self.table(block.columns, block.rows, block.caption)
            case content.Chart():
                self.chart(block)
            case content.Commentary():
                self.commentary(block)
            case content.Subsection():
                self.document.add_heading(block.title, level=level)
                for item in block.blocks:
                    self.block(item, level + 1)
            case content.Signpost():
                name = f"{block.code} {block.name}" if block.code else block.name
                self.document.add_heading(name, level=min(level, 9))
                self.facts(
                    [
                        ("Latest", block.value),
                        ("Target", block.target),
                        ("Status", block.status.word),
                        ("Trend", block.trend),
                    ]
                )
                if block.commentary is not None:
                    self.commentary(block.commentary)
                if block.chart is not None:
                    self.chart(block.chart)
            case content.ExceptionItem():
                self.document.add_heading(block.subject, level=min(level, 9))
                self.facts(
                    [
                        ("Why", block.rule),
                        ("Status", block.status.word if block.status else "–"),
                        ("Owner", block.owner),
                        ("Figures", block.detail),
                    ]
                )
                if block.commentary is not None:
                    self.commentary(block.commentary)
            case content.Definition():
                self.document.add_heading(f"{block.code} {block.name}", level=min(level, 9))
                self.document.add_paragraph(block.text)
                self.facts(list(block.facts))
            case content.Cover() | content.Contents():
                pass
            case _:
                raise TypeError(f"Unknown report block {type(block).__name__}.")

    def facts(self, pairs) -> None:
        for label, text in pairs:
            paragraph = self.document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(text)

    def commentary(self, block: content.Commentary) -> None:
        if block.missing:
            self.document.add_paragraph().add_run("No commentary given.").italic = True
            return
        pairs = []
        if block.text:
            pairs.append(("Commentary", block.text))
        if block.cause:
            pairs.append(("Cause", block.cause))
        if block.action:
            pairs.append(("Action being taken", block.action))
        if block.recovery:
            pairs.append(("Expected recovery", f"{block.recovery:%b %Y}"))
        self.facts(pairs)

    def chart(self, block: content.Chart) -> None:
        series = block.series
        rows = [
            (label, value, target)
            for label, value, target in zip(
                series.get("labels", []), series.get("values", []), series.get("targets", []), strict=False
            )
        ]
        self.table(("Period", "Value", "Target"), rows, f"{block.title} (chart data)")
        if block.description:
            self.document.add_paragraph(block.description)
        if block.commentary is not None:
            self.commentary(block.commentary)

    def table(self, columns, rows, caption: str) -> None:
        if caption:
            self.document.add_paragraph(caption, style="Caption")
        table = self.document.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        header = table.rows[0]
        for cell, name in zip(header.cells, columns, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(str(name)).bold = True
        _repeat_header(header)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=False):
                cell.text = _text(value)
        for row in table.rows[1:]:
            _keep_row(row)


def render(report: content.Report) -> bytes:
    """The report as the bytes of a .docx file."""
    return WordWriter(report).write()
