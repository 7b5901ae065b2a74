from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk register"

    def ready(self):
        from pmf.access import can_configure
        from pmf.registry import (
            CHASE_SOURCES,
            DEMO_SEEDERS,
            LINKED_PANELS,
            MY_WORK,
            NAVIGATION,
            SNAPSHOT_SECTIONS,
            ChaseSource,
            DemoSeeder,
            LinkedPanel,
            NavItem,
            SnapshotSection,
            WorkSection,
        )
        from risks import chase, panels, snapshot
        from risks.demo import seed_risks

        NAVIGATION.register(NavItem("Risks", "risk-register", 35))
        NAVIGATION.register(NavItem("Risk matrix", "risk-matrix", 96, visible=can_configure))
        MY_WORK.register(WorkSection("Top risks", "risks/mywork_top.html", panels.top_risks, 25))
        LINKED_PANELS.register(LinkedPanel("Risks", "risks/linked_panel.html", panels.linked_risks, 30))
        SNAPSHOT_SECTIONS.register(
            SnapshotSection(
                snapshot.KEY, snapshot.LABEL, "risks/_snapshot_section.html", snapshot.snapshot_risks, order=10
            )
        )
        DEMO_SEEDERS.register(DemoSeeder(30, seed_risks))
        from risks import report_sections

        report_sections.register()
        CHASE_SOURCES.register(
            ChaseSource(chase.KIND, chase.LABEL, chase.BEHIND_LABEL, items=chase.reviews_due, order=30)
        )
