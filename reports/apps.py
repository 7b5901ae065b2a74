from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Report Central"

    def ready(self):
        from pmf.registry import DEMO_SEEDERS, NAVIGATION, DemoSeeder, NavItem
        from reports import sections
        from reports.demo import seed_reports

        sections.register()
        NAVIGATION.register(NavItem("Reports", "report-central", 50))
        DEMO_SEEDERS.register(DemoSeeder(95, seed_reports))
