"""A Board dossier of a 500-PI scorecard rendered to PDF, on PostgreSQL.

    SECRET_KEY=x .venv/bin/python benchmarks/report_render.py [--runs 2] [--signposts 50]

Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pmf_report_bench;
create it and migrate it first). On first use it builds, with bulk inserts: an organisation
("Report Bench Housing") with 10 service units, a director, 500 monthly PIs with 15 months of
values each (most near or better than their target: in the data built, 406 green, 58 amber and
36 red in the period reported on; commentary on every latest value, and a cause, action and
recovery date on the red ones), a scorecard of the 500 PIs in 10 sections with --signposts of
them marked as signposts (each signpost gets a chart in the scorecard section), and a plan of 80
actions in every status. Later runs reuse the data.

Measures, for each of --runs runs, in one process:
- gather: reports.assemble.assemble of the default Board dossier sections, as the director, with
  the number of queries it runs;
- charts: the time to draw each chart of the dossier as SVG (reports.svg), per chart;
- total: the whole run: assemble, the final HTML and the PDF (reports.render.pdf.render);
- weasyprint: WeasyPrint's own render of the same final HTML (pmf.pdf.render_pdf_document, the
  same options), and the ratio total / weasyprint;
- pages, and the process's peak resident memory.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pmf_report_bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators import rules  # noqa: E402
from indicators.models import Indicator, Measurement  # noqa: E402
from plans.models import PlanItem  # noqa: E402
from pmf import periods  # noqa: E402
from pmf.models import OrgUnit, User  # noqa: E402
from pmf.pdf import render_pdf_document  # noqa: E402
from reports import content, svg  # noqa: E402
from reports.assemble import assemble, default_sections  # noqa: E402
from reports.params import RunParameters  # noqa: E402
from reports.render import pdf  # noqa: E402
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection  # noqa: E402

CODE = "rptbench"
PERIOD = datetime.date(2026, 10, 1)
TODAY = datetime.date(2026, 11, 20)
MONTHS = 15
PIS = 500
SERVICES = [
    "Income",
    "Lettings",
    "Repairs",
    "Tenancy sustainment",
    "Anti-social behaviour",
    "Customer contact",
    "Building safety",
    "Asset management",
    "Estates",
    "Finance",
]


def build(signposts: int) -> None:
    started = time.monotonic()
    rng = random.Random(2026)
    span = [periods.add_months(PERIOD, index - MONTHS + 1) for index in range(MONTHS)]
    K = OrgUnit.Kind
    with transaction.atomic():
        root = OrgUnit.objects.create(name="Report Bench Housing", code=CODE, kind=K.ORGANISATION)
        units = [
            OrgUnit.objects.create(name=name, code=f"{CODE}-{index}", kind=K.SERVICE, parent=root)
            for index, name in enumerate(SERVICES)
        ]
        director = User.objects.create(
            username=f"{CODE}.director", name="Report Bench Director", role="manager", org_unit=root
        )
        Indicator.objects.bulk_create(
            [
                Indicator(
                    code=f"RB{index:03d}",
                    title=f"{SERVICES[index % 10]} measure {index}",
                    definition="Counted from the housing management system at month end.",
                    org_unit=units[index % 10],
                    unit="percent",
                    polarity=rng.choice(["up", "down"]),
                    tolerance_kind=rules.ABSOLUTE,
                    tolerance=Decimal(2),
                    owner=director,
                )
                for index in range(PIS)
            ]
        )
        indicators = list(Indicator.objects.filter(code__startswith="RB", org_unit__tree_id=root.tree_id))
        now = timezone.now()
        batch, latest = [], []
        for indicator in indicators:
            target = Decimal(round(rng.uniform(70, 90)))
            better = 1 if indicator.polarity == "up" else -1
            centre = float(target) + better * rng.gauss(2.5, 3)  # most PIs on target, some not
            level = centre
            for index, period in enumerate(span):
                level = min(100.0, max(0.0, centre + 0.6 * (level - centre) + rng.gauss(0, 1.2)))
                value = Decimal(f"{level:.1f}")
                status = rules.traffic_light(
                    value=value,
                    target=target,
                    polarity=indicator.polarity,
                    tolerance=Decimal(2),
                    tolerance_kind="absolute",
                )
                newest = index == len(span) - 1
                red = newest and status == rules.RED
                batch.append(
                    Measurement(
                        indicator_id=indicator.pk,
                        period=period,
                        value=value,
                        target=target,
                        status=status,
                        commentary="Figure from the housing system; checked by the service manager." if newest else "",
                        cause="Staff vacancies in the team since the summer." if red else "",
                        action_taken="Agency staff booked and a recovery plan agreed." if red else "",
                        recovery_date=datetime.date(2027, 3, 1) if red else None,
                        approved_at=now,
                    )
                )
            latest.append((span[-1], value, target, status, indicator.pk))
        Measurement.objects.bulk_create(batch, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE indicators_indicator SET latest_period = %s, latest_value = %s, latest_target = %s, "
                "latest_status = %s WHERE id = %s",
                latest,
            )
        scorecard = Scorecard.objects.create(title="Board scorecard (500 PIs)", org_unit=root, owner=director)
        sections = [
            ScorecardSection.objects.create(scorecard=scorecard, title=name, order=index)
            for index, name in enumerate(SERVICES)
        ]
        marked = set(rng.sample(range(PIS), signposts))
        ScorecardEntry.objects.bulk_create(
            [
                ScorecardEntry(
                    scorecard=scorecard,
                    section=sections[index % 10],
                    indicator=indicator,
                    order=index,
                    signpost=index in marked,
                )
                for index, indicator in enumerate(sorted(indicators, key=lambda pi: pi.code))
            ]
        )
        plan = PlanItem(code=f"{CODE}-P", kind=PlanItem.Kind.PLAN, org_unit=root, title="Housing delivery plan")
        plan.save()
        statuses = ["overdue", "check_progress", "in_progress", "not_started", "completed"]
        for index in range(80):
            action = PlanItem(
                code=f"{CODE}-A{index:02d}",
                kind=PlanItem.Kind.ACTION,
                parent=plan,
                org_unit=units[index % 10],
                title=f"Improvement action {index} for {SERVICES[index % 10].lower()}",
                assigned_to=director,
                due_date=datetime.date(2026, 6, 30) + datetime.timedelta(days=7 * index),
                progress=(index * 7) % 100,
            )
            action.save()
            PlanItem.objects.filter(pk=action.pk).update(status=statuses[index % 5])
    print(f"built the bench data in {time.monotonic() - started:.1f} s")


def charts_of(report: content.Report) -> list[content.Chart]:
    found = []

    def walk(blocks):
        for block in blocks:
            if isinstance(block, content.Chart):
                found.append(block)
            elif isinstance(block, content.Subsection):
                walk(block.blocks)
            elif isinstance(block, content.Signpost) and block.chart:
                found.append(block.chart)

    for section in report.sections:
        walk(section.blocks)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--signposts", type=int, default=50)
    parser.add_argument("--save", help="write the last run's PDF to this file")
    args = parser.parse_args()
    if not OrgUnit.objects.filter(code=CODE).exists():
        build(args.signposts)
    director = User.objects.get(username=f"{CODE}.director")
    scorecard = Scorecard.objects.get(title="Board scorecard (500 PIs)", org_unit__code=CODE)
    params = RunParameters(
        kind="board",
        title="Board performance dossier",
        period=PERIOD,
        scope="scorecard",
        scope_id=scorecard.pk,
        audience="Board, 14 January 2027",
        marking="OFFICIAL",
        sections=default_sections("board"),
    )
    print(f"sections: {', '.join(params.sections)}")
    results = []
    for run in range(args.runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report = assemble(params, user=director, today=TODAY)
            gathered = time.perf_counter() - started
        charts = charts_of(report)
        started = time.perf_counter()
        for index, chart in enumerate(charts):
            svg.line_chart(chart.series, title=chart.title, description=chart.description, chart_id=f"c{index}")
        per_chart = (time.perf_counter() - started) / max(len(charts), 1)

        # The whole run (gather, final HTML, PDF) and WeasyPrint alone on the same final HTML, with the
        # same options; their order alternates from run to run, so neither always runs on warm caches.
        def whole_run():
            started = time.perf_counter()
            report = assemble(params, user=director, today=TODAY)
            rendered = pdf.render(report)
            return report, rendered, time.perf_counter() - started

        def weasyprint_alone(html):
            started = time.perf_counter()
            _, pages = render_pdf_document(html, pdf_tags=True)
            return pages, time.perf_counter() - started

        started = time.perf_counter()
        html = pdf.html(report)  # the final HTML of this content, as the whole run prints it
        building = time.perf_counter() - started
        if run % 2 == 0:
            report, rendered, total = whole_run()
            pages, weasy = weasyprint_alone(html)
        else:
            pages, weasy = weasyprint_alone(html)
            report, rendered, total = whole_run()
        assert pdf.html(report) == html, "the run printed other HTML than the one timed alone"
        results.append(
            (gathered, len(queries), len(charts), per_chart, total, weasy, rendered.pages, len(rendered.data))
        )
        print(
            f"run {run + 1}: gather {gathered * 1000:.0f} ms in {len(queries)} queries; HTML {building * 1000:.0f} ms; "
            f"{len(charts)} charts at "
            f"{per_chart * 1000:.2f} ms each; total {total:.2f} s; WeasyPrint alone {weasy:.2f} s; "
            f"ratio {total / weasy:.3f}; {rendered.pages} pages ({pages}), {len(rendered.data) / 1024:.0f} KiB"
        )
    if args.save:
        Path(args.save).write_bytes(rendered.data)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = statistics.median(r[4] for r in results)
    weasy = statistics.median(r[5] for r in results)
    print(
        f"median: gather {statistics.median(r[0] for r in results) * 1000:.0f} ms ({results[0][1]} queries), "
        f"{statistics.median(r[3] for r in results) * 1000:.2f} ms a chart, total {total:.2f} s, "
        f"WeasyPrint {weasy:.2f} s, ratio {total / weasy:.3f} (target <= 1.2); peak memory {peak:.0f} MB "
        "(target < 500 MB)"
    )


if __name__ == "__main__":
    main()
