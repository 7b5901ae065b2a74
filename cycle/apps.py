from django.apps import AppConfig


class CycleConfig(AppConfig):
    name = "cycle"
    verbose_name = "Monthly cycle"

    def ready(self):
        from cycle import failures, jobs, panels  # noqa: F401 (failures connects the task_failure handler)
        from cycle.demo import seed_calendar
        from pmf.access import can_plan, signed_in
        from pmf.registry import DEMO_SEEDERS, MY_WORK, NAVIGATION, DemoSeeder, NavItem, WorkSection

        NAVIGATION.register(NavItem("Calendar", "cycle-calendar", 70, visible=signed_in))
        NAVIGATION.register(NavItem("Who is behind", "cycle-behind", 71, visible=can_plan))
        MY_WORK.register(WorkSection("Deadlines this month", "cycle/mywork_deadlines.html", panels.deadlines, 5))
        DEMO_SEEDERS.register(DemoSeeder(90, seed_calendar))
        jobs.JOB_KINDS.register(
            jobs.JobKind("indicator-values", "PI values and targets", jobs.run_indicator_values, "indicator-import")
        )
        jobs.JOB_KINDS.register(
            jobs.JobKind("indicator-definitions", "PI definitions", jobs.run_indicator_definitions, "indicator-import")
        )
        jobs.JOB_KINDS.register(jobs.JobKind("plan-items", "Plan items", jobs.run_plan_items, "plan-import"))
