from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "scorecards"
    verbose_name = "Snapshots and scorecards"

    def ready(self):
        from pmf.registry import (
            DEMO_SEEDERS,
            ISSUED_PERIOD_CHECKS,
            MY_WORK,
            NAVIGATION,
            DemoSeeder,
            NavItem,
            WorkSection,
        )
        from scorecards import panels
        from scorecards.demo import seed_scorecards
        from scorecards.services import issued_pairs

        NAVIGATION.register(NavItem("Snapshots", "snapshot-list", 30))
        NAVIGATION.register(NavItem("Scorecards", "scorecard-list", 31))
        MY_WORK.register(WorkSection("My snapshot", "scorecards/mywork_snapshot.html", panels.my_snapshot_counts, 30))
        DEMO_SEEDERS.register(DemoSeeder(40, seed_scorecards))
        ISSUED_PERIOD_CHECKS.register(issued_pairs)
