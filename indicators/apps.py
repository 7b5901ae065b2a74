from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Performance indicators"

    def ready(self):
        from indicators import panels
        from indicators.demo import seed_indicators
        from pmf.access import can_write
        from pmf.registry import (
            DEMO_SEEDERS,
            LINKED_PANELS,
            MY_WORK,
            NAVIGATION,
            DemoSeeder,
            LinkedPanel,
            NavItem,
            WorkSection,
        )

        NAVIGATION.register(NavItem("Indicators", "indicator-list", 20))
        NAVIGATION.register(NavItem("Monthly update", "indicator-monthly-update", 21, visible=can_write))
        MY_WORK.register(WorkSection("PIs to update this month", "indicators/mywork_due.html", panels.due_items, 20))
        DEMO_SEEDERS.register(DemoSeeder(20, seed_indicators))
        LINKED_PANELS.register(
            LinkedPanel("Performance indicators", "indicators/linked_panel.html", panels.linked_indicators, 20)
        )
