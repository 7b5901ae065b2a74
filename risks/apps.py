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
            ChaseSource,
            DemoSeeder,
            LinkedPanel,
            NavItem,
            WorkSection,
        )
        from risks import chase, panels
        from risks.demo import seed_risks

        NAVIGATION.register(NavItem("Risks", "risk-register", 35))
        NAVIGATION.register(NavItem("Risk matrix", "risk-matrix", 96, visible=can_configure))
        MY_WORK.register(WorkSection("Top risks", "risks/mywork_top.html", panels.top_risks, 25))
        LINKED_PANELS.register(LinkedPanel("Risks", "risks/linked_panel.html", panels.linked_risks, 30))
        DEMO_SEEDERS.register(DemoSeeder(30, seed_risks))
        CHASE_SOURCES.register(
            ChaseSource(chase.KIND, chase.LABEL, chase.BEHIND_LABEL, items=chase.reviews_due, order=30)
        )
