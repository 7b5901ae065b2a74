from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "scorecards"
    verbose_name = "Snapshots and scorecards"

    def ready(self):
        from indicators.hooks import register_issued_period_check
        from pmf.registry import NavItem, WorkSection, register_demo_seeder, register_my_work, register_nav
        from scorecards import mywork
        from scorecards.demo import seed_scorecards
        from scorecards.services import period_is_issued

        register_nav(NavItem("Snapshots", "snapshot-list", 30))
        register_nav(NavItem("Scorecards", "scorecard-list", 31))
        register_my_work(WorkSection("My snapshot", "scorecards/mywork_snapshot.html", mywork.my_snapshot_counts, 30))
        register_demo_seeder(40, seed_scorecards)
        register_issued_period_check(period_is_issued)
