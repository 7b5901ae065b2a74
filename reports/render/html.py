"""The blocks of a report as HTML, shared by the PDF (printed through WeasyPrint) and the web page.

Every text is escaped here: blocks hold plain text only. Headings carry the ids the contents and
the PDF outline point at; tables have captions, column headers with scope and a repeated head;
every traffic light shows its word.
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from reports import content, svg


class Writer:
    """Turns blocks into HTML. HEADING is the level of a section's heading (1 in the PDF, where
    each section is a chapter; 2 on the web page, under the page's own h1). Charts are drawn as
    inline SVG, each with its own ids."""

    def __init__(self, *, heading: int = 1):
        self.heading = heading
        self.charts = 0

    # Report --------------------------------------------------------------------------------

    def sections(self, report: content.Report) -> SafeString:
        return mark_safe("".join(self.section(report, section) for section in report.sections))

    def section(self, report: content.Report, section: content.Section) -> str:
        blocks = section.blocks
        if any(isinstance(block, content.Cover) for block in blocks):
            return self.cover(report, next(b for b in blocks if isinstance(b, content.Cover)))
        level = self.heading
        anchor = content.section_anchor(section.key)
        parts = [
            f'<section class="report-section report-section--{escape(section.key)}" aria-labelledby="{anchor}">',
            f'<h{level} id="{anchor}">{escape(section.title)}</h{level}>',
        ]
        index = 0
        for block in blocks:
            if isinstance(block, content.Subsection):
                index += 1
                parts.append(self.subsection(block, content.subsection_anchor(section.key, index), level + 1))
            else:
                parts.append(self.block(block, level + 1))
        parts.append("</section>")
        return "".join(parts)

    def subsection(self, block: content.Subsection, anchor: str, level: int) -> str:
        inner = "".join(self.block(item, level + 1) for item in block.blocks)
        return f'<div class="report-subsection"><h{level} id="{anchor}">{escape(block.title)}</h{level}>{inner}</div>'

    def cover(self, report: content.Report, block: content.Cover) -> str:
        facts = [("Period", report.period_label), ("Scope", report.scope_label)]
        if report.audience:
            facts.append(("For", report.audience))
        if report.generated:
            facts.append(("Produced", f"{report.generated:%d %b %Y}"))
        if report.marking:
            facts.append(("Marking", report.marking))
        rows = "".join(f"<div><dt>{escape(label)}</dt><dd>{escape(text)}</dd></div>" for label, text in facts)
        note = f"<p>{escape(block.note)}</p>" if block.note else ""
        level = self.heading
        return (
            f'<section class="report-cover" aria-label="Cover"><p class="report-cover__kind">Performance report</p>'
            f'<h{level} class="report-cover__title">{escape(report.title)}</h{level}>'
            f'<dl class="report-cover__facts">{rows}</dl>{note}</section>'
        )

    # Blocks --------------------------------------------------------------------------------

    def block(self, block, level: int) -> str:
        match block:
            case content.Paragraph():
                return f"<p>{escape(block.text)}</p>"
            case content.KeyFigures():
                return self.key_figures(block)
            case content.Table():
                return self.table(block)
            case content.Chart():
                return self.chart(block)
            case content.Commentary():
                return self.commentary(block, label="Commentary")
            case content.Signpost():
                return self.signpost(block, level)
            case content.ExceptionItem():
                return self.exception(block, level)
            case content.Subsection():
                return self.subsection(block, "", level)
            case content.Contents():
                return self.contents(block)
            case content.Definition():
                return self.definition(block, level)
            case content.Cover():
                return ""
        raise TypeError(f"Unknown report block {type(block).__name__}.")

    @staticmethod
    def status(status: content.Status | None) -> str:
        if status is None:
            return "–"
        return f'<span class="status status--{escape(status.code)}">{escape(status.word)}</span>'

    def cell(self, value) -> str:
        if isinstance(value, content.Status):
            return self.status(value)
        if value is None or value == "":
            return "–"
        if isinstance(value, float):
            return escape(f"{value:,.2f}")
        if isinstance(value, int):
            return escape(f"{value:,}")
        return escape(str(value))

    def key_figures(self, block: content.KeyFigures) -> str:
        items = "".join(
            f'<div class="key-figure"><dt>{escape(item.label)}</dt>'
            f'<dd><span class="key-figure__value">{escape(item.value)}</span>'
            f"{' ' + self.status(item.status) if item.status else ''}</dd></div>"
            for item in block.items
        )
        return f'<dl class="key-figures">{items}</dl>'

    def table(self, block: content.Table) -> str:
        def cls(index: int) -> str:
            names = []
            if index in block.numeric:
                names.append("num")
            if block.wrap is not None and index not in block.wrap:
                names.append("nowrap")
            return f' class="{" ".join(names)}"' if names else ""

        num = ' class="num"'
        head = "".join(
            f'<th scope="col"{num if i in block.numeric else ""}>{escape(name)}</th>'
            for i, name in enumerate(block.columns)
        )
        body = []
        for row in block.rows:
            cells = []
            for i, value in enumerate(row):
                if i == 0:
                    cells.append(f'<th scope="row"{cls(i)}>{self.cell(value)}</th>')
                else:
                    cells.append(f"<td{cls(i)}>{self.cell(value)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        caption = f"<caption>{escape(block.caption)}</caption>" if block.caption else ""
        return (
            f'<table class="report-table">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        )

    def chart(self, block: content.Chart) -> str:
        self.charts += 1
        chart_id = f"chart-{self.charts}"
        picture = svg.line_chart(block.series, title=block.title, description=block.description, chart_id=chart_id)
        return (
            f'<figure class="report-chart">{picture}'
            f"<figcaption>{escape(block.title)}"
            f'<span class="report-chart__alt"> – {escape(block.description)}</span></figcaption>'
            f"{self.commentary(block.commentary, label='Commentary')}</figure>"
        )

    def commentary(self, block: content.Commentary | None, *, label: str) -> str:
        if block is None:
            return ""
        if block.missing:
            return '<p class="commentary commentary--missing">No commentary given.</p>'
        parts = []
        if block.text:
            parts.append(f"<div><dt>{escape(label)}</dt><dd>{escape(block.text)}</dd></div>")
        if block.cause:
            parts.append(f"<div><dt>Cause</dt><dd>{escape(block.cause)}</dd></div>")
        if block.action:
            parts.append(f"<div><dt>Action being taken</dt><dd>{escape(block.action)}</dd></div>")
        if block.recovery:
            parts.append(f"<div><dt>Expected recovery</dt><dd>{block.recovery:%b %Y}</dd></div>")
        return f'<dl class="commentary">{"".join(parts)}</dl>'

    def signpost(self, block: content.Signpost, level: int) -> str:
        name = f"{block.code} {block.name}" if block.code else block.name
        chart = self.chart(block.chart) if block.chart else ""
        return (
            f'<div class="signpost"><h{level} class="signpost__name">{escape(name)}</h{level}>'
            f'<dl class="signpost__figures"><div><dt>Latest</dt>'
            f'<dd class="signpost__value">{escape(block.value)}</dd></div>'
            f"<div><dt>Target</dt><dd>{escape(block.target)}</dd></div>"
            f"<div><dt>Status</dt><dd>{self.status(block.status)}</dd></div>"
            f"<div><dt>Trend</dt><dd>{escape(block.trend)}</dd></div></dl>"
            f"{self.commentary(block.commentary, label='Commentary')}{chart}</div>"
        )

    def exception(self, block: content.ExceptionItem, level: int) -> str:
        return (
            f'<div class="exception"><h{level} class="exception__subject">{escape(block.subject)}</h{level}>'
            f'<dl class="exception__facts"><div><dt>Why</dt><dd>{escape(block.rule)}</dd></div>'
            f"<div><dt>Status</dt><dd>{self.status(block.status)}</dd></div>"
            f"<div><dt>Owner</dt><dd>{escape(block.owner)}</dd></div>"
            f"<div><dt>Figures</dt><dd>{escape(block.detail)}</dd></div></dl>"
            f"{self.commentary(block.commentary, label='Commentary')}</div>"
        )

    def contents(self, block: content.Contents) -> str:
        items = "".join(
            f'<li class="contents__item contents__item--{entry.level}"><a href="#{escape(entry.anchor)}">'
            f"{escape(entry.title)}</a></li>"
            for entry in block.entries
        )
        return f'<nav class="contents" aria-label="Contents"><ol>{items}</ol></nav>'

    def definition(self, block: content.Definition, level: int) -> str:
        level = max(level, 3)  # one outline entry for the appendix, not one per PI
        facts = "".join(f"<div><dt>{escape(label)}</dt><dd>{escape(text)}</dd></div>" for label, text in block.facts)
        return (
            f'<div class="definition"><h{level} class="definition__name">{escape(block.code)} {escape(block.name)}'
            f'</h{level}><p>{escape(block.text)}</p><dl class="definition__facts">{facts}</dl></div>'
        )
