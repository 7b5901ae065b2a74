from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Performance indicators"

    def ready(self):
        from indicators import mywork
        from indicators.demo import seed_indicators
        from pmf.registry import (
            LinkedPanel,
            NavItem,
            WorkSection,
            register_demo_seeder,
            register_linked_panel,
            register_my_work,
            register_nav,
        )

        register_nav(NavItem("Indicators", "indicator-list", 20))
        register_nav(
            NavItem("Monthly update", "indicator-monthly-update", 21, frozenset({"admin", "manager", "updater"}))
        )
        register_my_work(WorkSection("PIs to update this month", "indicators/mywork_due.html", mywork.due_items, 20))
        register_demo_seeder(20, seed_indicators)
        register_linked_panel(
            LinkedPanel("Performance indicators", "indicators/linked_panel.html", mywork.linked_indicators, 20)
        )
