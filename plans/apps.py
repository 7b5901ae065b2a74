from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"

    def ready(self):
        from plans.demo import seed_plans
        from plans.panels import my_actions
        from pmf.access import can_configure
        from pmf.registry import DEMO_SEEDERS, MY_WORK, NAVIGATION, DemoSeeder, NavItem, WorkSection

        NAVIGATION.register(NavItem("Plans", "plan-tree", order=10))
        NAVIGATION.register(NavItem("Plan settings", "plan-settings", order=95, visible=can_configure))
        MY_WORK.register(
            WorkSection(title="My actions", template="plans/mywork_actions.html", items=my_actions, order=10)
        )
        DEMO_SEEDERS.register(DemoSeeder(10, seed_plans))
